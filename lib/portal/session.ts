/**
 * The client-portal session: an iron-session sealed cookie that carries the ACCESS-TOKEN id (never the client id),
 * re-validated against the database on every request, so revoking a link or deactivating a client ends live
 * sessions on their next request.
 */
import { sealData, unsealData } from "iron-session";
import { db } from "@/lib/db";
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


/**
 * The portal principal for a request, or null. A tampered, truncated, expired or foreign cookie is simply no
 * session; then the token row and its client are checked (not revoked, not expired, client active).
 */
export async function getPortalPrincipal(headers: Headers): Promise<PortalPrincipal | null> {
  const sealed = readCookie(headers, portalCookieName());
  if (!sealed || sealed.length > 4096) return null;
  let data: Partial<PortalSessionData>;
  try {
    data = await unsealData<PortalSessionData>(sealed, { password: getConfig().portalSessionPasswords, ttl: PORTAL_SESSION_TTL_SECONDS });
  } catch {
    return null;
  }
  if (typeof data.accessTokenId !== "string") return null;
  const token = await db.clientAccessToken.findUnique({
    where: { id: data.accessTokenId },
    select: { id: true, revokedAt: true, expiresAt: true, client: { select: { id: true, name: true, active: true, partnerId: true, partner: { select: { status: true } } } } },
  });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
  if (!token.client.active || token.client.partner.status !== "approved") return null;
  return { kind: "portal", portalClientId: token.client.id, accessTokenId: token.id, partnerId: token.client.partnerId, clientName: token.client.name, preview: data.preview === true };
}
