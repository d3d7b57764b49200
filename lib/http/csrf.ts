/**
 * The one CSRF rule (docs/ARCHITECTURE.md): a state-changing request authenticated by a cookie must come from
 * Gatehouse itself. The browser's `Origin` header decides; without one, or with `Origin: null` (what browsers send
 * for a POST from a page whose Referrer-Policy is `no-referrer`, as the portal's pages are), `Sec-Fetch-Site:
 * same-origin` does (a sandboxed cross-site frame also sends `null`, but never `same-origin`).
 * Edge-safe (middleware uses it for comfort; the access policies enforce it).
 *
 * "Gatehouse itself" is the public origin (AUTH_URL) or the origin the request was addressed to (the scheme the
 * nearest proxy or Next.js recorded in X-Forwarded-Proto, and the Host), as Next.js's own server-action check allows.
 * A forged request comes from the victim's browser, which sets Host to Gatehouse and Origin to the attacker's page,
 * so neither can be made to match; an http:// page of the same host does not match an https:// deployment.
 */

/**
 * Whether the request says it comes from Gatehouse's own origin.
 * @param headers the request headers
 * @param appUrl  the public origin (AUTH_URL)
 */
export function isSameOrigin(headers: Headers, appUrl: string): boolean {
  const origin = headers.get("origin");
  if (origin === null || origin === "null") return headers.get("sec-fetch-site") === "same-origin";
  if (origin === new URL(appUrl).origin) return true;
  const host = headers.get("host");
  const scheme = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return Boolean(host && scheme) && origin === `${scheme}://${host}`;
}
