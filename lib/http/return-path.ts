/**
 * Where a browser may be sent back to after sign-in or an outage: only Gatehouse's own pages (no open redirects).
 */

/**
 * A same-origin path, or `fallback`. Refuses anything with control characters (a tab or newline that browsers
 * strip turns `/%09/evil.example` or `/\t/evil.example` into `//evil.example`), backslashes, and anything that does
 * not resolve to the app's own origin when parsed as a URL relative to it.
 * @param value    the requested path (e.g. a `callbackUrl` or `next` query parameter)
 * @param fallback where to go instead
 */
export function safeReturnPath(value: string | undefined | null, fallback = "/me"): string {
  if (!value || value.length > 2048 || !value.startsWith("/")) return fallback;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\u007f\\]/.test(value) || /[\u0000-\u001f\u007f\\]/.test(decoded) || decoded.startsWith("//")) return fallback;
  const base = "https://gatehouse.invalid";
  let resolved: URL;
  try {
    resolved = new URL(value, base);
  } catch {
    return fallback;
  }
  // Dot segments can normalise into a protocol-relative path (`/.//evil.example` → `//evil.example`): refuse those.
  if (resolved.origin !== base || resolved.pathname.startsWith("//")) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
