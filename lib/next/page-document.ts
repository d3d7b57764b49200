/**
 * The HTML document around a page Gatehouse renders without Next's page pipeline (app/portal/portal-html.tsx): the
 * same root markup as app/layout.tsx, and the stylesheet Next built for it. The production server tells this module
 * where that stylesheet is (scripts/lib/fast-lane.ts reads it from the build's manifest); without a build (the
 * integration tests) the page is unstyled but complete.
 */
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

let stylesheets: readonly string[] = [];

/** Sets the root layout's stylesheet URLs (absolute paths such as `/_next/static/chunks/…css`). */
export function setPageStylesheets(hrefs: readonly string[]): void {
  stylesheets = hrefs.filter((href) => /^\/_next\/static\/[\w./-]+\.css$/.test(href));
}

/**
 * A whole HTML document.
 * @param title the page's title (escaped; " · Gatehouse" is appended as the root layout's template does)
 * @param body  rendered markup for inside `<main>` (already escaped by React's server renderer)
 */
export function pageDocument(title: string, body: string): string {
  const links = stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join("");
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} · Gatehouse</title><meta name="referrer" content="no-referrer"><link rel="icon" href="/icon.svg" type="image/svg+xml">${links}</head>` +
    `<body class="min-h-screen bg-slate-50 text-slate-900 antialiased">` +
    `<a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2">Skip to content</a>` +
    `<main id="main" class="mx-auto w-full max-w-4xl px-6 py-10">${body}</main></body></html>`
  );
}
