/**
 * Reads one cookie from a request's `Cookie` header (RFC 6265 §5.4 pairs). Edge-safe. Values are
 * percent-decoded; an undecodable value is returned as sent.
 */
export function readCookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index <= 0 || part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}
