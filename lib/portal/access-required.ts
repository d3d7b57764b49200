/**
 * The access-required page as a plain HTML response, for route handlers (pages use `unauthorized()`, which renders
 * app/unauthorized.tsx with the same words).
 */
export const ACCESS_REQUIRED_TITLE = "This portal link is not valid";
export const ACCESS_REQUIRED_BODY =
  "The link may have expired or been revoked, or it was copied incompletely. Ask your contact at the company that sent it for a new link.";

/** @param status 401 for a missing session, 403 for a bad link */
export function accessRequiredResponse(status: 401 | 403): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access required · Client portal</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1.5rem; color: #0f172a">
<main><h1>${ACCESS_REQUIRED_TITLE}</h1><p>${ACCESS_REQUIRED_BODY}</p></main></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}
