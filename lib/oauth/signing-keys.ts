/**
 * Access-token signing keys: Ed25519 (EdDSA) key pairs in PostgreSQL, private halves encrypted at rest.
 *
 * Rotation (docs/ARCHITECTURE.md "Secrets"): a new key is published in the JWKS `PUBLISH_AHEAD_SECONDS` before it signs,
 * so every cache has it before the first token it signs; the old key stops signing then, and stays in the JWKS until
 * `MAX_ACCESS_TOKEN_TTL_SECONDS` later, when its last token has expired. Keys rotate by themselves every
 * `KEY_LIFETIME_SECONDS`, or on demand (`npm run gatehouse -- keys rotate`).
 *
 * The in-process cache is safe across instances: keys are append-only and published ahead of use; an unknown `kid`
 * triggers a (rate-limited) reload.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey as JoseKey } from "jose";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";

export const SIGNING_ALG = "EdDSA";
/** Longest access-token lifetime a client may configure, seconds. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 3600;
/** How long before it signs a new key is published, seconds (longer than the cache TTL below). */
export const PUBLISH_AHEAD_SECONDS = 300;
/** How long a key signs before automatic rotation, seconds (30 days). */
export const KEY_LIFETIME_SECONDS = 30 * 24 * 3600;
const CACHE_TTL_MS = 60_000;
const UNKNOWN_KID_RELOAD_INTERVAL_MS = 5_000;

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publishedAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
  expiresAt: Date | null;
  verifyKey?: JoseKey | Uint8Array;
  signKey?: JoseKey | Uint8Array;
  privateJwkEncrypted: string;
}

let cache: { keys: LoadedKey[]; loadedAt: number } | null = null;
let lastUnknownKidReload = 0;

/** AES-256-GCM key for private JWKs, derived from AUTH_SECRET with HKDF-SHA256 (RFC 5869). */
function encryptionKey(): Buffer {
  return Buffer.from(hkdfSync("sha256", getConfig().authSecret, "gatehouse", "signing-key-encryption/v1", 32));
}

function encrypt(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url")}`;
}

function decrypt(sealed: string): string {
  const raw = Buffer.from(sealed.replace(/^v1\./, ""), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

async function loadKeys(): Promise<LoadedKey[]> {
  const rows = await db.signingKey.findMany({
    where: { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    orderBy: { activatesAt: "asc" },
  });
  const previous = new Map(cache?.keys.map((k) => [k.kid, k]));
  const keys = rows.map((row) => ({
    kid: row.id,
    publicJwk: row.publicJwk as JWK,
    publishedAt: row.publishedAt,
    activatesAt: row.activatesAt,
    retiresAt: row.retiresAt,
    expiresAt: row.expiresAt,
    privateJwkEncrypted: row.privateJwkEncrypted,
    verifyKey: previous.get(row.id)?.verifyKey,
    signKey: previous.get(row.id)?.signKey,
  }));
  cache = { keys, loadedAt: Date.now() };
  return keys;
}

async function currentKeys(): Promise<LoadedKey[]> {
  if (cache && Date.now() - cache.loadedAt < CACHE_TTL_MS) return cache.keys;
  return loadKeys();
}

/** Forgets the cached keys (tests, and after a manual rotation in this process). */
export function clearSigningKeyCache(): void {
  cache = null;
}

/** A fresh Ed25519 key pair as a `signing_keys` row (private JWK sealed). */
async function newKeyRow(activatesAt: Date) {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const id = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid: id, alg: SIGNING_ALG, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid: id, alg: SIGNING_ALG };
  return { id, alg: SIGNING_ALG, publicJwk, privateJwkEncrypted: encrypt(JSON.stringify(privateJwk)), activatesAt };
}

function isSigning(key: LoadedKey, now: number): boolean {
  return key.activatesAt.getTime() <= now && (!key.retiresAt || key.retiresAt.getTime() > now);
}

/**
 * Creates the next key, published now and signing from `now + activateInSeconds`; the current key retires then
 * and expires `MAX_ACCESS_TOKEN_TTL_SECONDS` later. Serialised across instances by an advisory lock.
 * @param options.activateInSeconds delay before the new key signs (default PUBLISH_AHEAD_SECONDS; 0 in tests)
 * @returns the new key's kid
 */
export async function rotateSigningKeys(options: { activateInSeconds?: number } = {}): Promise<{ kid: string; activatesAt: Date }> {
  const activatesAt = new Date(Date.now() + (options.activateInSeconds ?? PUBLISH_AHEAD_SECONDS) * 1000);
  const kid = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
    await tx.signingKey.updateMany({
      where: { OR: [{ retiresAt: null }, { retiresAt: { gt: activatesAt } }] },
      data: { retiresAt: activatesAt, expiresAt: new Date(activatesAt.getTime() + MAX_ACCESS_TOKEN_TTL_SECONDS * 1000) },
    });
    const row = await newKeyRow(activatesAt);
    await tx.signingKey.create({ data: row });
    return row.id;
  });
  clearSigningKeyCache();
  return { kid, activatesAt };
}

/**
 * The key that signs now (creating the first one on a fresh database, and scheduling the next one when the current
 * key nears the end of its lifetime).
 */
export async function getSigningKey(): Promise<{ kid: string; key: JoseKey | Uint8Array }> {
  const now = Date.now();
  let keys = await currentKeys();
  let signing = keys.filter((k) => isSigning(k, now)).at(-1);
  if (!signing) {
    // Bootstrap: no key signs yet. The first key may sign at once (no cache can hold an older JWKS without it).
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
      const live = await tx.signingKey.count({ where: { activatesAt: { lte: new Date() }, OR: [{ retiresAt: null }, { retiresAt: { gt: new Date() } }] } });
      if (live === 0) await tx.signingKey.create({ data: await newKeyRow(new Date()) });
    });
    keys = await loadKeys();
    signing = keys.filter((k) => isSigning(k, Date.now())).at(-1);
    if (!signing) throw new Error("no signing key could be created");
  } else if (now - signing.activatesAt.getTime() > (KEY_LIFETIME_SECONDS - PUBLISH_AHEAD_SECONDS) * 1000 && !keys.some((k) => k.activatesAt.getTime() > now)) {
    // Scheduled rotation; failure to rotate must never fail a token request.
    void rotateSigningKeys().catch(() => {});
  }
  signing.signKey ??= await importJWK(JSON.parse(decrypt(signing.privateJwkEncrypted)) as JWK, SIGNING_ALG);
  return { kid: signing.kid, key: signing.signKey };
}

/**
 * The public key for a `kid` (published and not expired), or null. An unknown kid reloads the key set at most once
 * every few seconds, so random kids cannot turn into a database load.
 */
export async function getVerificationKey(kid: string): Promise<JoseKey | Uint8Array | null> {
  let key = (await currentKeys()).find((k) => k.kid === kid);
  if (!key && Date.now() - lastUnknownKidReload > UNKNOWN_KID_RELOAD_INTERVAL_MS) {
    lastUnknownKidReload = Date.now();
    key = (await loadKeys()).find((k) => k.kid === kid);
  }
  if (!key || key.publishedAt.getTime() > Date.now()) return null;
  key.verifyKey ??= await importJWK(key.publicJwk, SIGNING_ALG);
  return key.verifyKey;
}

/** The JWK Set for `/.well-known/jwks.json` (RFC 7517 §5): every published, unexpired public key. */
export async function getJwks(): Promise<{ keys: JWK[] }> {
  const now = Date.now();
  const keys = await loadKeys();
  return { keys: keys.filter((k) => k.publishedAt.getTime() <= now).map((k) => k.publicJwk) };
}
