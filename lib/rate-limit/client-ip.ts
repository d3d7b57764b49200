/**
 * The one answer to "which address is this caller?", for the rate limiter and the audit log alike
 * (docs/ARCHITECTURE.md "The client's address").
 *
 * `X-Forwarded-For` is a list each proxy appends to; only the entries appended by proxies we run can be trusted,
 * the rest is whatever the client wrote. Gatehouse's server entry (scripts/server-preload.mjs, loaded by `npm start`
 * and every test or bench server) appends the TCP peer address itself, exactly as a proxy would, before Next.js
 * sees the request. So with `TRUSTED_PROXY_HOPS` = n the client is the entry n places from the end:
 *   n = 0: no proxy; the TCP peer (the last entry, appended by Gatehouse) — anything the client sent is ignored;
 *   n = 1: one proxy in front; the address that proxy saw (the entry before the peer, i.e. before the proxy's own).
 * Gatehouse's own code rather than a library: this is the decision an access product must own.
 */
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/http/logger";

let warnedWithoutPreload = false;

/** Set by scripts/server-preload.mjs when it has appended the TCP peer to X-Forwarded-For. */
export const PEER_APPENDED_ENV = "GATEHOUSE_PEER_APPENDED";

/**
 * The caller's IP address as far as the configured proxies vouch for it.
 * @param request anything with the request headers
 * @param hops    trusted proxy hops (default: TRUSTED_PROXY_HOPS)
 * @returns an address (at most 64 characters), or `unknown`
 */
export function clientIp(request: { headers: Headers }, hops: number = getConfig().trustedProxyHops): string {
  const entries = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Without the preload (a bare `next start`), Next.js fills X-Forwarded-For with the peer only when the client sent
  // none; the last entry is then the best there is, and the production start always loads the preload.
  const peerAppended = process.env[PEER_APPENDED_ENV] === "1";
  if (!peerAppended && hops === 0 && !warnedWithoutPreload && process.env.NODE_ENV === "production") {
    warnedWithoutPreload = true;
    logger.warn("X-Forwarded-For is not appended by scripts/server-preload.mjs (run the app with `npm start`): with TRUSTED_PROXY_HOPS=0 a client can choose the address rate limits and the audit log see");
  }
  const index = entries.length - 1 - (peerAppended ? hops : Math.max(0, hops - 1));
  const ip = entries[Math.max(0, index)] ?? "unknown";
  return ip.slice(0, 64);
}
