/**
 * Edge middleware: cheap, database-free work only (docs/TOOLCHAIN.md; CVE-2025-29927 is why it is never the only check).
 * Runs for pages and server actions only (see `config.matcher`; API answers get their headers from the route wrapper).
 * - stamps a request id and security headers (CSP with a per-request nonce) on every page;
 * - redirects anonymous browsers away from signed-in areas. Pages and handlers re-check on the server;
 * - answers 403 to a server action posted from a foreign Origin, and 400 to a multipart body that does not parse
 *   (Next itself would answer a bare 500 to both).
 */
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE_NAMES } from "@/lib/auth/session-cookie";
import { testLocalIdpEnabled } from "@/lib/auth/test-local-idp";
import { readBodyLimited } from "@/lib/http/body";
import { acceptableRequestId, securityHeaders } from "@/lib/http/security-headers";

const SIGNED_IN_AREAS = ["/me", "/start", "/admin", "/partner", "/projects", "/oauth/authorize"];
const IDP_ORIGINS = ["https://accounts.google.com", "https://login.microsoftonline.com", "https://github.com"];

/**
 * The local test issuer's origin (sign-in forms post to it): outside production, or in a production build only under
 * the e2e switch with loopback URLs (the same rule lib/config.ts enforces at start). Each variable is read at run
 * time: Next inlines only NODE_ENV and NEXT_PUBLIC_* into middleware at build time.
 */
function localIdpOrigin(): string[] {
  const env = { GATEHOUSE_TEST_LOCAL_IDP: process.env.GATEHOUSE_TEST_LOCAL_IDP, LOCAL_IDP_URL: process.env.LOCAL_IDP_URL, AUTH_URL: process.env.AUTH_URL };
  const local = process.env.NODE_ENV !== "production" || testLocalIdpEnabled(env);
  // GitHub Enterprise (AUTH_GITHUB_URL), and the local GitHub emulator under the same rule as the local issuer.
  const urls = [local ? env.LOCAL_IDP_URL : undefined, local ? process.env.LOCAL_GITHUB_URL : undefined, process.env.AUTH_GITHUB_URL];
  return urls.flatMap((url) => {
    try {
      return url ? [new URL(url).origin] : [];
    } catch {
      return [];
    }
  });
}

/** Largest form post (server action) in bytes: next.config.mjs `serverActions.bodySizeLimit` (128 KiB). */
const MAX_FORM_POST_BYTES = 128 * 1024;

/** Next.js's own server-action origin check (action-handler: the Origin's host vs X-Forwarded-Host or Host). */
function nextAcceptsActionOrigin(headers: Headers): boolean {
  const expectedHost = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  try {
    return new URL(headers.get("origin")!).host === expectedHost;
  } catch {
    return false;
  }
}

export async function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const requestId = acceptableRequestId(request.headers.get("x-request-id")) ?? crypto.randomUUID();
  const nonce = btoa(crypto.randomUUID());
  const appUrl = process.env.AUTH_URL ?? request.nextUrl.origin;
  const headers = securityHeaders({
    nonce,
    isDevelopment: process.env.NODE_ENV === "development",
    isHttps: appUrl.startsWith("https://"),
    formActionOrigins: [...IDP_ORIGINS, ...localIdpOrigin()],
    consentPage: pathname === "/oauth/authorize",
  });

  const refuse = (status: number, error: string, message: string) => {
    const refused = NextResponse.json({ error, message }, { status });
    for (const [name, value] of Object.entries(headers)) refused.headers.set(name, value);
    refused.headers.set("X-Request-Id", requestId);
    return refused;
  };

  // A server action whose Origin Next.js itself would refuse (its host must be the X-Forwarded-Host, or the Host):
  // Next answers that with a bare 500; answer the 403 it is. Comfort only: each action's policy then applies
  // Gatehouse's own CSRF rule (lib/http/csrf.ts) as well.
  if (request.method === "POST" && request.headers.has("next-action") && request.headers.has("origin")) {
    if (!nextAcceptsActionOrigin(request.headers)) return refuse(403, "forbidden", "Cross-site request refused.");
  }

  // A multipart body Next cannot parse: its server-action handler would answer a bare 500 ("Failed to parse body
  // as FormData") on any page. Only POSTs declaring multipart pay for this parse (forms posting server actions), and
  // only up to the server-action body limit (next.config.mjs): a larger body is refused while it streams.
  const contentType = request.headers.get("content-type") ?? "";
  if (request.method === "POST" && contentType.toLowerCase().startsWith("multipart/form-data")) {
    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(request.clone(), MAX_FORM_POST_BYTES);
    } catch {
      return refuse(413, "payload_too_large", `The body is larger than ${MAX_FORM_POST_BYTES} bytes.`);
    }
    const parsable = await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": contentType } }).formData().then(
      () => true,
      () => false,
    );
    if (!parsable) return refuse(400, "invalid_request", "The multipart/form-data body could not be parsed.");
  }

  const isSignedInArea = SIGNED_IN_AREAS.some((area) => pathname === area || pathname.startsWith(`${area}/`));
  const hasSessionCookie = SESSION_COOKIE_NAMES.some((name) => request.cookies.has(name));
  let response: NextResponse;
  if (isSignedInArea && !hasSessionCookie) {
    const signIn = new URL("/sign-in", request.url);
    signIn.searchParams.set("callbackUrl", `${pathname}${search}`);
    response = NextResponse.redirect(signIn);
  } else {
    const forwarded = new Headers(request.headers);
    forwarded.set("x-request-id", requestId);
    forwarded.set("x-nonce", nonce);
    forwarded.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
    response = NextResponse.next({ request: { headers: forwarded } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  response.headers.set("X-Request-Id", requestId);
  // Portal URLs can carry a magic-link secret (/portal/enter/{token}): never leak any portal URL in a Referer.
  if (pathname === "/portal" || pathname.startsWith("/portal/")) response.headers.set("Referrer-Policy", "no-referrer");
  // The consent page's URL carries the application's state and PKCE challenge: not for other sites' Referer. Not
  // no-referrer: a form posted from a no-referrer page carries `Origin: null`, which the CSRF rule must refuse.
  if (pathname === "/oauth/authorize") response.headers.set("Referrer-Policy", "same-origin");
  return response;
}

export const config = {
  // Pages and server actions only. Not Next's static assets, and not the JSON and OAuth endpoints: their route
  // wrapper (lib/next/route.ts) stamps the request id and security headers itself, and in production most of them are
  // served by the fast lane (scripts/lib/fast-lane.ts), which never reaches Next. Middleware cost about a third of
  // an API request's CPU (bench/NOTES.md).
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|robots.txt|api/|portal/api/|\\.well-known/|auth/|oauth/(?:token|introspect|revoke|register)(?:/|$)).*)",
    // A server-action POST, whatever its path: Next handles it as an action (a bare 500 for a foreign Origin or a
    // bad body) unless the checks above answer first.
    { source: "/:path*", has: [{ type: "header", key: "next-action" }] },
  ],
};
