/**
 * The HTML document around a page Gatehouse renders without Next's page pipeline (app/portal/portal-html.tsx): the
 * head app/layout.tsx's metadata gives, and the stylesheet Next built for the root layout (the body's markup comes
 * from the same components the layouts render). The production server tells this module
 * where that stylesheet is (scripts/lib/fast-lane.ts reads it from the build's manifest); without a build (the
 * integration tests) the page is unstyled but complete.
 */
import { escapeHtml } from "@/lib/http/html-pages";

let stylesheets: readonly string[] = [];

/** Sets the root layout's stylesheet URLs (absolute paths such as `/_next/static/chunks/…css`). */
export function setPageStylesheets(hrefs: readonly string[]): void {
  stylesheets = hrefs.filter((href) => /^\/_next\/static\/[\w./-]+\.css$/.test(href));
}

/**
 * A whole HTML document.
 * @param title     the page's title (escaped; " · Gatehouse" is appended as the root layout's template does)
 * @param bodyClass the root layout's `<body>` class
 * @param body      rendered markup for inside `<body>` (already escaped by React's server renderer)
 */
export function pageDocument(title: string, bodyClass: string, body: string): string {
  const links = stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join("");
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} · Gatehouse</title><meta name="referrer" content="no-referrer"><link rel="icon" href="/icon.svg" type="image/svg+xml">${links}</head>` +
    `<body class="${escapeHtml(bodyClass)}">${body}</body></html>`
  );
}
