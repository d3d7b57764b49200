/**
 * What every page's `<body>` holds before its content: its class and the skip link. The root layout renders it, and
 * so does the document of the pages rendered outside Next (app/portal/portal-html.tsx).
 */
export const ROOT_BODY_CLASS = "min-h-screen bg-slate-50 text-slate-900 antialiased";

/** The keyboard user's way past the navigation, to `#main`. */
export function SkipLink() {
  return (
    <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:rounded focus:bg-white focus:px-3 focus:py-2">
      Skip to content
    </a>
  );
}
