import { describe, expect, it } from "vitest";
import { crc32, digestSecret, digestsEqual, generateSecret, isWellFormedSecret } from "@/lib/secrets/secret-format";

describe("printable secrets", () => {
  it("generates prefix_<43 base62><6 checksum> secrets that validate, with a SHA-256 digest", () => {
    const { secret, digest, displayPrefix } = generateSecret("mg");
    expect(secret).toMatch(/^mg_[0-9A-Za-z]{49}$/);
    expect(isWellFormedSecret("mg", secret)).toBe(true);
    expect(digest).toBe(digestSecret(secret));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.startsWith(displayPrefix)).toBe(true);
  });

  it("rejects typos, other prefixes and random strings by checksum before any lookup", () => {
    const { secret } = generateSecret("gcs");
    const typo = secret.slice(0, 10) + (secret[10] === "a" ? "b" : "a") + secret.slice(11);
    expect(isWellFormedSecret("gcs", typo)).toBe(false);
    expect(isWellFormedSecret("mg", secret)).toBe(false);
    expect(isWellFormedSecret("gcs", secret + "x")).toBe(false);
    expect(isWellFormedSecret("gcs", "gcs_" + "x".repeat(49))).toBe(false);
  });

  it("never repeats (256-bit randomness)", () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateSecret("mg").secret));
    expect(seen.size).toBe(1000);
  });

  it("computes zlib's CRC-32", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it("compares digests in constant time and refuses empty or different-length input", () => {
    const d = digestSecret("a");
    expect(digestsEqual(d, d)).toBe(true);
    expect(digestsEqual(d, digestSecret("b"))).toBe(false);
    expect(digestsEqual("", "")).toBe(false);
    expect(digestsEqual(d, d.slice(2))).toBe(false);
  });
});
