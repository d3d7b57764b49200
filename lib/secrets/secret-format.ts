/**
 * Gatehouse's printable high-entropy secrets (docs/ARCHITECTURE.md "Secrets"): `<prefix>_<base62 secret><6-char CRC32>`.
 *
 * Written here rather than taken from a library because the format is Gatehouse's own contract: secret scanners and
 * support staff recognise `mg_…` / `gcs_…` / `gpl_…`, and a checksum lets us reject typos and random strings
 * before any database lookup. 256-bit secrets are stored only as SHA-256 digests (no bcrypt: they are not passwords).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 256 bits in base62: ceil(256 / log2(62)) = 43 characters. */
export const SECRET_BODY_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;

/** `mg` API keys, `gcs` service client secrets, `gpl` portal links, `gas` app client secrets, `grt` refresh tokens. */
export type SecretPrefix = "mg" | "gcs" | "gpl" | "gas" | "grt";

function toBase62(bytes: Uint8Array, length: number): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3), as in zlib. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
  const crc = crc32(body);
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc);
  return toBase62(bytes, CHECKSUM_LENGTH);
}

/** SHA-256 of the whole printable secret, hex: what the database stores and looks up. */
export function digestSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of two hex digests (RFC 6819 §5.1.4.2.2 style: no early exit on the first difference). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

export interface GeneratedSecret {
  /** Shown once to its owner, never stored. */
  secret: string;
  /** SHA-256 hex of `secret`. */
  digest: string;
  /** A non-secret display form, e.g. `mg_4fT9…` (prefix + first 6 body characters). */
  displayPrefix: string;
}

/** Makes a new 256-bit secret with the given prefix. */
export function generateSecret(prefix: SecretPrefix): GeneratedSecret {
  const body = toBase62(randomBytes(32), SECRET_BODY_LENGTH);
  const secret = `${prefix}_${body}${checksum(body)}`;
  return { secret, digest: digestSecret(secret), displayPrefix: `${prefix}_${body.slice(0, 6)}` };
}

/**
 * Checks a presented secret's shape and checksum without touching the database.
 * @returns true when it has the prefix, the exact length, only base62 characters and a matching checksum
 */
export function isWellFormedSecret(prefix: SecretPrefix, value: string): boolean {
  const expectedLength = prefix.length + 1 + SECRET_BODY_LENGTH + CHECKSUM_LENGTH;
  if (value.length !== expectedLength || !value.startsWith(`${prefix}_`)) return false;
  const rest = value.slice(prefix.length + 1);
  if (!/^[0-9A-Za-z]+$/.test(rest)) return false;
  const body = rest.slice(0, SECRET_BODY_LENGTH);
  return checksum(body) === rest.slice(SECRET_BODY_LENGTH);
}
