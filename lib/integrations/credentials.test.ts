import { Writable } from "node:stream";
import { inspect } from "node:util";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { LOG_REDACTION } from "@/lib/http/logger";
import { CredentialsUnreadableError, openCredentials, sealCredentials, sealedKeyId, SealedCredentials } from "@/lib/integrations/credentials";

const keys = (current: string, ...ids: string[]) => ({
  currentKeyId: current,
  masterKeys: Object.fromEntries([current, ...ids].map((id) => [id, Buffer.alloc(32, Number(id))])),
});
const binding = { partnerId: "partner-a", integrationId: "int-1", provider: "okta" };
const tokens = { access_token: "at-SECRET-123", refresh_token: "rt-SECRET-456", expires_at: 1_900_000_000 };

describe("integration credentials at rest", () => {
  it("opens what it sealed for the same row, and names the master key it used", () => {
    const { sealed, keyId } = sealCredentials(binding, tokens, keys("2", "1"));
    expect(keyId).toBe("2");
    expect(sealedKeyId(sealed)).toBe("2");
    expect(sealed).not.toContain("SECRET");
    expect(openCredentials(binding, sealed, keys("2", "1")).reveal()).toEqual(tokens);
  });

  it("refuses a ciphertext moved to another integration, partner or provider (associated data and per-row key)", () => {
    const { sealed } = sealCredentials(binding, tokens, keys("1"));
    for (const other of [
      { ...binding, integrationId: "int-2" },
      { ...binding, partnerId: "partner-b" },
      { ...binding, provider: "google" },
    ]) {
      expect(() => openCredentials(other, sealed, keys("1"))).toThrow(CredentialsUnreadableError);
    }
  });

  it("refuses a tampered ciphertext and one under a master key no longer configured", () => {
    const { sealed } = sealCredentials(binding, tokens, keys("1"));
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0]! ^= 1;
    expect(() => openCredentials(binding, [...parts.slice(0, 3), body.toString("base64url")].join("."), keys("1"))).toThrow(CredentialsUnreadableError);
    expect(() => openCredentials(binding, sealed, keys("2"))).toThrow(CredentialsUnreadableError);
  });

  it("rotation: a new current key seals; the old one still opens until re-encrypted", () => {
    const old = sealCredentials(binding, tokens, keys("1")).sealed;
    const rotated = keys("2", "1");
    expect(openCredentials(binding, old, rotated).reveal()).toEqual(tokens);
    expect(sealedKeyId(sealCredentials(binding, tokens, rotated).sealed)).toBe("2");
  });

  it("prints [REDACTED] however it is turned into text, logs included", () => {
    const held = new SealedCredentials(tokens);
    const lines: string[] = [];
    const log = pino({ redact: LOG_REDACTION }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    log.info({ held, credentials: tokens, response: { access_token: tokens.access_token, refresh_token: tokens.refresh_token } }, "refreshed");
    const printed = [String(held), `${held}`, JSON.stringify({ held }), inspect({ held }), lines.join("")].join("\n");
    expect(printed).toContain("[REDACTED]");
    expect(printed).not.toContain("SECRET");
  });
});
