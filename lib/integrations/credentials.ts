/**
 * Integration credentials at rest (docs/ARCHITECTURE.md "Integrations"): AES-256-GCM under a key derived per
 * integration by HKDF-SHA-256 (RFC 5869) from a master key chosen by id, with the partner, integration and provider
 * bound as associated data (NIST SP 800-38D §7), so a ciphertext copied to another row does not decrypt.
 *
 * Gatehouse's own code because the format is Gatehouse's: node:crypto supplies HKDF and GCM; what is written here is
 * only the choice of inputs and the envelope `v1.<key id>.<iv>.<ciphertext+tag>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { getConfig, type IntegrationsConfig } from "@/lib/config";
import { Secret } from "@/lib/http/secret";

/** The master keys by id, and which id encrypts (lib/config.ts IntegrationsConfig). */
export type MasterKeySet = Pick<IntegrationsConfig, "masterKeys" | "currentKeyId">;

/** Which row a ciphertext belongs to: all three are bound as associated data and into the key derivation. */
export interface CredentialBinding {
  partnerId: string;
  integrationId: string;
  provider: string;
}

/** Thrown when a ciphertext does not open: another row's, tampered, or under a master key id no longer configured. */
export class CredentialsUnreadableError extends Error {
  override name = "CredentialsUnreadableError";
}

/**
 * Credentials in memory: `toString`, `toJSON` and `util.inspect` print `[REDACTED]` (lib/http/secret.ts), so logging
 * the holder (or an object holding it) never prints a token. Read the fields with `reveal()` where they are used.
 */
export class SealedCredentials<T extends object = Record<string, unknown>> extends Secret<Readonly<T>> {
  constructor(value: T) {
    super(Object.freeze({ ...value }));
  }
}

const ENVELOPE_VERSION = "v1";
const INFO = "gatehouse/integration-credentials/v1";

function associatedData(binding: CredentialBinding): Buffer {
  return Buffer.from(JSON.stringify([binding.partnerId, binding.integrationId, binding.provider]));
}

function deriveKey(master: Buffer, binding: CredentialBinding): Buffer {
  // The salt is the integration id: every integration gets its own key from one master (RFC 5869 §3.1).
  return Buffer.from(hkdfSync("sha256", master, binding.integrationId, `${INFO}/${binding.provider}`, 32));
}

/**
 * Encrypts `value` (JSON) for one integration under the current master key.
 * @returns `{ sealed, keyId }`: the envelope to store and the master key id it used
 */
export function sealCredentials(binding: CredentialBinding, value: object, masterKeys: MasterKeySet = getConfig().integrations): { sealed: string; keyId: string } {
  const keyId = masterKeys.currentKeyId;
  const master = masterKeys.masterKeys[keyId];
  if (!master) throw new Error("No integration master key is configured");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(master, binding), iv);
  cipher.setAAD(associatedData(binding));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { sealed: [ENVELOPE_VERSION, keyId, iv.toString("base64url"), ciphertext.toString("base64url")].join("."), keyId };
}

/**
 * Decrypts an envelope written by `sealCredentials` for the same binding.
 * @throws CredentialsUnreadableError for another row's ciphertext, a tampered one, or an unknown master key id
 */
export function openCredentials<T extends object>(binding: CredentialBinding, sealed: string, masterKeys: MasterKeySet = getConfig().integrations): SealedCredentials<T> {
  const parts = sealed.split(".");
  const master = parts.length === 4 && parts[0] === ENVELOPE_VERSION ? masterKeys.masterKeys[parts[1]!] : undefined;
  if (!master) throw new CredentialsUnreadableError("The credentials are not readable with the configured master keys");
  try {
    const iv = Buffer.from(parts[2]!, "base64url");
    const body = Buffer.from(parts[3]!, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", deriveKey(master, binding), iv);
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
    return new SealedCredentials(JSON.parse(plaintext) as T);
  } catch {
    throw new CredentialsUnreadableError("The credentials do not belong to this integration or were altered");
  }
}

/** The master key id an envelope was sealed under, or null when it is not an envelope. */
export function sealedKeyId(sealed: string): string | null {
  const parts = sealed.split(".");
  return parts.length === 4 && parts[0] === ENVELOPE_VERSION ? parts[1]! : null;
}

/**
 * Re-encrypts every integration's credentials (and pending PKCE verifiers) not yet under the current master key
 * (`npm run gatehouse -- integrations rekey`), one row per transaction, checking the row did not change meanwhile.
 * Run it after adding a new highest key id to INTEGRATION_MASTER_KEYS; the old id can be removed once it reports
 * `remaining: 0`.
 * @returns rows re-encrypted, and rows that could not be opened with the configured keys (left as they were)
 */
export async function reencryptIntegrationCredentials(): Promise<{ reencrypted: number; unreadable: number; remaining: number }> {
  const { db } = await import("@/lib/db");
  const config = getConfig().integrations;
  let reencrypted = 0;
  let unreadable = 0;
  const rows = await db.integration.findMany({ where: { credentials: { not: null }, NOT: { credentialsKeyId: config.currentKeyId } }, select: { id: true, partnerId: true, provider: true, credentials: true } });
  for (const row of rows) {
    const binding = { partnerId: row.partnerId, integrationId: row.id, provider: row.provider };
    try {
      const { sealed, keyId } = sealCredentials(binding, openCredentials(binding, row.credentials!).reveal());
      const updated = await db.integration.updateMany({ where: { id: row.id, credentials: row.credentials }, data: { credentials: sealed, credentialsKeyId: keyId } });
      reencrypted += updated.count;
    } catch (error) {
      if (!(error instanceof CredentialsUnreadableError)) throw error;
      unreadable += 1;
    }
  }
  const states = await db.integrationOAuthState.findMany({ select: { stateDigest: true, integrationId: true, partnerId: true, provider: true, codeVerifier: true } });
  for (const state of states) {
    if (sealedKeyId(state.codeVerifier) === config.currentKeyId) continue;
    const binding = { partnerId: state.partnerId, integrationId: state.integrationId, provider: state.provider };
    try {
      const { sealed } = sealCredentials(binding, openCredentials(binding, state.codeVerifier).reveal());
      await db.integrationOAuthState.updateMany({ where: { stateDigest: state.stateDigest, codeVerifier: state.codeVerifier }, data: { codeVerifier: sealed } });
    } catch (error) {
      if (!(error instanceof CredentialsUnreadableError)) throw error;
    }
  }
  const remaining = await db.integration.count({ where: { credentials: { not: null }, NOT: { credentialsKeyId: config.currentKeyId } } });
  return { reencrypted, unreadable, remaining };
}
