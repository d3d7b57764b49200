/**
 * The few plain HTML pages route handlers answer with (pages rendered by React use app/unauthorized.tsx and
 * friends, with the same words): the portal's access-required page, the rate-limit page, the outage page.
 * Primitives only: fixed text, escaped values, no data.
 */
export const ACCESS_REQUIRED_TITLE = "This portal link is not valid";
export const ACCESS_REQUIRED_BODY =
  "The link may have expired or been revoked, or it was copied incompletely. Ask your contact at the company that sent it for a new link.";

/** Text (or an attribute value) made safe for HTML: `& < > " '` become character references. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A minimal, self-contained HTML page (no scripts, no external assets).
 * @param status  the HTTP status
 * @param title   page title and heading (escaped)
 * @param paragraphs body text, one paragraph each (escaped); `link` adds one escaped link at the end
 * @param headers extra headers (e.g. `Retry-After`)
 */
export function htmlPage(status: number, title: string, paragraphs: string[], options: { headers?: Record<string, string>; link?: { href: string; text: string } } = {}): Response {
  const link = options.link ? `<p><a href="${escapeHtml(options.link.href)}">${escapeHtml(options.link.text)}</a></p>` : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Gatehouse</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1.5rem; color: #0f172a">
<main><h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}${link}</main></body></html>`;
  return new Response(html, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", ...options.headers },
  });
}
