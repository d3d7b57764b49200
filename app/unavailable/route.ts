import { safeReturnPath } from "@/lib/http/pages";

export const dynamic = "force-dynamic";

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a browser sees while PostgreSQL is unreachable: 503 with Retry-After, and a link back. */
export function GET(request: Request): Response {
  const next = escape(safeReturnPath(new URL(request.url).searchParams.get("next"), "/"));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Temporarily unavailable · Gatehouse</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1.5rem; color: #0f172a">
<h1>Gatehouse is temporarily unavailable</h1>
<p>We cannot reach our database right now. Nothing you did caused this, and no data was lost.</p>
<p><a href="${next}">Try again</a> in a few seconds.</p></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Retry-After": "5", "Cache-Control": "no-store" },
  });
}
