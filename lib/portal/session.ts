/**
 * The client-portal session: an iron-session sealed cookie that carries the ACCESS-TOKEN id (never the client id),
 * re-validated against the database on every request, so revoking a link or deactivating a client ends live
 * sessions on their next request.
 */
import { createHash } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import { sql } from "@/lib/db";
import { readCookie } from "@/lib/http/cookies";
import { getConfig } from "@/lib/config";

/** 30 days, seconds. */
export const PORTAL_SESSION_TTL_SECONDS = 30 * 24 * 3600;

/** `__Host-` when cookies are Secure: bound to this host and path `/`, never set by a subdomain. */
export function portalCookieName(): string {
  return getConfig().secureCookies ? "__Host-gatehouse_portal" : "gatehouse_portal";
}

export interface PortalSessionData {
  accessTokenId: string;
  preview?: boolean;
}

export interface PortalPrincipal {
  kind: "portal";
  /** clients.id: the partner's customer this session shows. */
  portalClientId: string;
  accessTokenId: string;
  partnerId: string;
  clientName: string;
  preview: boolean;
}

/** Seals the session for the cookie (iron-session; the highest-numbered password seals). */
export function sealPortalSession(data: PortalSessionData): Promise<string> {
  return sealData(data, { password: getConfig().portalSessionPasswords, ttl: PORTAL_SESSION_TTL_SECONDS });
}

/** `Set-Cookie` for a sealed session: HttpOnly, SameSite=Lax, Secure in production, 30 days. */
export function portalCookieHeader(sealed: string): string {
  const secure = getConfig().secureCookies ? "; Secure" : "";
  return `${portalCookieName()}=${sealed}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${PORTAL_SESSION_TTL_SECONDS}${secure}`;
}

/** `Set-Cookie` that clears the session. */
export function clearPortalCookieHeader(): string {
  const secure = getConfig().secureCookies ? "; Secure" : "";
  return `${portalCookieName()}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}


/** How many opened cookies {@link openPortalCookie} remembers (per process; oldest forgotten first). */
const OPENED_COOKIES_LIMIT = 10_000;
/** iron's clock skew: a seal is accepted until 60 s after its expiration (iron-webcrypto `timestampSkewSec`). */
const SEAL_SKEW_MS = 60_000;
const openedCookies = new Map<string, { data: PortalSessionData; validUntil: number }>();
let openedWith: Record<string, string> | undefined;

/**
 * Opens (unseals) a portal cookie, remembering the result for the same cookie value until the seal expires.
 *
 * Unsealing is six WebCrypto calls (two PBKDF2 key derivations, an HMAC check, an AES decryption) and was ~1 ms of
 * CPU on every portal request; a browser sends the same cookie for 30 days. What is remembered is only what a
 * successful unseal of that exact value returned (keyed by its SHA-256, so a tampered value is a miss and goes
 * through the full check), with the seal's own expiration (part of the MAC) and iron's skew, and it is forgotten if
 * the configured passwords change. It says nothing about access: the token, its client and its partner are still
 * re-checked in PostgreSQL on every request (getPortalPrincipal).
 * @returns the session data, or null for a tampered, truncated, expired or foreign cookie
 */
async function openPortalCookie(sealed: string): Promise<PortalSessionData | null> {
  const passwords = getConfig().portalSessionPasswords;
  if (openedWith !== passwords) {
    openedCookies.clear();
    openedWith = passwords;
  }
  const key = createHash("sha256").update(sealed).digest("base64url");
  const remembered = openedCookies.get(key);
  if (remembered) {
    if (Date.now() < remembered.validUntil) return remembered.data;
    openedCookies.delete(key);
  }
  let data: Partial<PortalSessionData>;
  try {
    data = await unsealData<PortalSessionData>(sealed, { password: passwords, ttl: PORTAL_SESSION_TTL_SECONDS });
  } catch {
    return null;
  }
  if (typeof data.accessTokenId !== "string") return null;
  const opened: PortalSessionData = Object.freeze({ accessTokenId: data.accessTokenId, ...(data.preview === true ? { preview: true } : {}) });
  // `Fe26.2*id*salt*iv*ciphertext*expiration*salt*hmac[~version]`: the expiration is covered by the MAC just checked.
  const expiration = Number(sealed.split("~", 1)[0]!.split("*")[5]);
  if (Number.isSafeInteger(expiration) && expiration > 0) {
    if (openedCookies.size >= OPENED_COOKIES_LIMIT) openedCookies.delete(openedCookies.keys().next().value!);
    openedCookies.set(key, { data: opened, validUntil: expiration + SEAL_SKEW_MS });
  }
  return opened;
}

/**
 * The portal principal for a request, or null. A tampered, truncated, expired or foreign cookie is simply no
 * session; then the token row, its client and the client's partner are checked on every call (not revoked, not
 * expired, client active, partner approved), in one statement.
 */
export async function getPortalPrincipal(headers: Headers): Promise<PortalPrincipal | null> {
  const sealed = readCookie(headers, portalCookieName());
  if (!sealed || sealed.length > 4096) return null;
  const data = await openPortalCookie(sealed);
  if (!data) return null;
  // On the pg pool, not Prisma: this runs on every portal request (lib/db.ts).
  const [token] = await sql<{ id: string; revokedAt: Date | null; expiresAt: Date | null; clientId: string; clientName: string; active: boolean; partnerId: string; partnerStatus: string }>`
    SELECT t.id, t.revoked_at AS "revokedAt", t.expires_at AS "expiresAt",
           c.id AS "clientId", c.name AS "clientName", c.active, c.partner_id AS "partnerId", p.status::text AS "partnerStatus"
    FROM client_access_tokens t JOIN clients c ON c.id = t.client_id JOIN partners p ON p.id = c.partner_id
    WHERE t.id = ${data.accessTokenId}`;
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
  if (!token.active || token.partnerStatus !== "approved") return null;
  return { kind: "portal", portalClientId: token.clientId, accessTokenId: token.id, partnerId: token.partnerId, clientName: token.clientName, preview: data.preview === true };
}
