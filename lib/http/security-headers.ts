/**
 * Security headers for every response (OWASP Secure Headers). Edge-safe: used by middleware.ts.
 *
 * The Content-Security-Policy carries a per-request nonce; Next.js reads it from the request's CSP header and
 * stamps its own inline scripts with it, so no `'unsafe-inline'` script source is needed.
 */

export interface SecurityHeaderOptions {
  nonce: string;
  /** `next dev` needs eval for React refresh and a websocket for HMR. */
  isDevelopment: boolean;
  /** HSTS and upgrade-insecure-requests only on https deployments. */
  isHttps: boolean;
  /**
   * Origins that sign-in forms redirect to. Chromium applies `form-action` to the redirects that follow a form
   * post, and the sign-in buttons post to Auth.js, which redirects to the identity provider.
   */
  formActionOrigins: string[];
  /**
   * The OAuth consent page (/oauth/authorize). Its form's answer redirects to the application's registered redirect
   * URI, whatever its origin or scheme (`cursor://…`, `http://127.0.0.1:…`), and Chromium applies `form-action` to
   * that redirect, so the directive is left out there; and it shows the application's logo from its https
   * `logo_uri` (img-src https:). The page renders no user-controlled markup.
   */
  consentPage?: boolean;
}

/** HSTS for https deployments: two years, subdomains included. */
const HSTS = "max-age=63072000; includeSubDomains";

export function contentSecurityPolicy(options: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.isDevelopment ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data:${options.consentPage ? " https:" : ""}`,
    "font-src 'self'",
    `connect-src 'self'${options.isDevelopment ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    ...(options.consentPage ? [] : [`form-action 'self' ${options.formActionOrigins.join(" ")}`.trim()]),
    "frame-ancestors 'none'",
    ...(options.isHttps ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** All security headers for a response, CSP included. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    ...(options.isHttps ? { "Strict-Transport-Security": HSTS } : {}),
  };
}

// Built once: the route wrapper sets them on every answer.
const API_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
});
const API_HEADERS_HTTPS: Readonly<Record<string, string>> = Object.freeze({ ...API_HEADERS, "Strict-Transport-Security": HSTS });

/**
 * Headers for an API answer (JSON, never a page), set by the route wrapper on every response, so an answer carries
 * them whichever router served it (Next with its middleware, or the fast lane without). Nothing in a JSON answer may
 * run or be framed.
 */
export function apiSecurityHeaders(isHttps: boolean): Readonly<Record<string, string>> {
  return isHttps ? API_HEADERS_HTTPS : API_HEADERS;
}

/** Built once: the route wrapper sets them on every HTML answer. */
const STATIC_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
});
const STATIC_PAGE_HEADERS_HTTPS: Readonly<Record<string, string>> = Object.freeze({
  ...STATIC_PAGE_HEADERS,
  "Content-Security-Policy": `${STATIC_PAGE_HEADERS["Content-Security-Policy"]}; upgrade-insecure-requests`,
  "Strict-Transport-Security": HSTS,
});

/**
 * Headers for an HTML page Gatehouse renders without Next (the portal's home on the production server, and route
 * handlers' refusal pages): the page carries no script at all, so the policy allows none; styles only from
 * Gatehouse's own origin; forms post only to it.
 */
export function staticPageSecurityHeaders(isHttps: boolean): Readonly<Record<string, string>> {
  return isHttps ? STATIC_PAGE_HEADERS_HTTPS : STATIC_PAGE_HEADERS;
}

/** A request id from an upstream proxy is kept when it looks sane, otherwise a new one is made. */
export function acceptableRequestId(value: string | null): string | null {
  return value && /^[A-Za-z0-9._:-]{8,128}$/.test(value) ? value : null;
}
