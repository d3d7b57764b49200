/**
 * The one CSRF rule (docs/ARCHITECTURE.md): a state-changing request authenticated by a cookie must come from
 * Gatehouse's own origin. The browser's `Origin` header decides; without one, `Sec-Fetch-Site: same-origin` does.
 * Edge-safe (middleware uses it for comfort; the access policy enforces it).
 */

/**
 * Whether the request says it comes from `appUrl`'s origin.
 * @param headers the request headers
 * @param appUrl  the public origin (AUTH_URL)
 * @param alsoAllowed another origin to accept (middleware: the Host the request came to, as Next.js itself does)
 */
export function isSameOrigin(headers: Headers, appUrl: string, alsoAllowed?: string): boolean {
  const origin = headers.get("origin");
  if (origin !== null) return origin === new URL(appUrl).origin || (alsoAllowed !== undefined && origin === alsoAllowed);
  return headers.get("sec-fetch-site") === "same-origin";
}
