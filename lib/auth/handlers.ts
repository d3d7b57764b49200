/**
 * Auth.js route handlers, wrapped so that
 * - sign-in starts (POST /api/auth/signin/*) and OAuth callbacks (/api/auth/callback/*) are rate limited per IP
 *   (RATE_LIMIT_SIGN_IN_PER_MINUTE; 429 + Retry-After, counted in PostgreSQL across instances), and
 * - a database outage answers 503 instead of a sign-in error loop, and
 * - a malformed `callbackUrl` answers 400 (Auth.js's assertConfig would call it a server misconfiguration: 500).
 */
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { BadRequestError } from "@/lib/http/errors";
import { readCookie } from "@/lib/http/cookies";
import { toResponse } from "@/lib/http/respond";
import { authorize, definePolicy } from "@/lib/auth/policy";
import { readBodyLimited } from "@/lib/http/body";

/** The Auth.js actions that start or finish a sign-in; session reads, CSRF and provider lists stay unlimited. */
const SIGN_IN_PATH = /\/api\/auth\/(signin|callback)\/[^/]+$/;

/** The callback-url cookies Auth.js reads (secure and plain names). */
const CALLBACK_URL_COOKIES = ["__Secure-authjs.callback-url", "authjs.callback-url"];

/**
 * Whether the request carries a `callbackUrl` (query or cookie) that Auth.js's assertConfig refuses with
 * InvalidCallbackUrl: neither a path nor an http(s) URL (same test as @auth/core's isValidHttpUrl).
 */
function hasInvalidCallbackUrl(request: NextRequest): boolean {
  const url = new URL(request.url);
  const values = [...url.searchParams.getAll("callbackUrl"), ...CALLBACK_URL_COOKIES.map((name) => readCookie(request.headers, name))];
  return values.some((value) => {
    if (!value) return false;
    try {
      return !/^https?:/.test(new URL(value, value.startsWith("/") ? url.origin : undefined).protocol);
    } catch {
      return true;
    }
  });
}

/**
 * Auth.js's endpoints are public (its own state, PKCE, nonce and CSRF-token checks guard each step); starting a
 * sign-in and finishing one (the callback) are rate limited per IP. Auth.js reads small form bodies only.
 */
const SIGN_IN_ENDPOINT = definePolicy({ accept: "public", rateLimit: "sign-in", errors: "json", maxBodyBytes: 16 * 1024 });
const AUTH_JS_ENDPOINT = definePolicy({ accept: "public", errors: "json", maxBodyBytes: 16 * 1024 });

/** The declared policies of `/api/auth/[...nextauth]`, for the access tests (a sign-in start or callback, or the rest). */
export const AUTH_JS_POLICIES = { signIn: SIGN_IN_ENDPOINT, other: AUTH_JS_ENDPOINT } as const;

function wrap(handler: (request: NextRequest) => Promise<Response>, method: "GET" | "POST") {
  return async (request: NextRequest): Promise<Response> => {
    const requestId = request.headers.get("x-request-id") ?? undefined;
    try {
      const { pathname } = new URL(request.url);
      if (hasInvalidCallbackUrl(request)) throw new BadRequestError("callbackUrl must be a path or an http(s) URL.");
      // GET /signin/{provider} only renders a page; POST starts the flow. Callbacks arrive as GET or POST.
      const policy = SIGN_IN_PATH.test(pathname) && (method === "POST" || pathname.includes("/callback/")) ? SIGN_IN_ENDPOINT : AUTH_JS_ENDPOINT;
      if (method === "POST" && request.body) await readBodyLimited(request.clone(), policy.maxBodyBytes);
      await authorize(policy, request, { requestId });
      return await handler(request);
    } catch (error) {
      return toResponse(error, { requestId });
    }
  };
}

// The policy the access tests see: public (sign-in starts and callbacks additionally count against the limit).
export const GET = Object.assign(wrap(handlers.GET, "GET"), { policy: AUTH_JS_ENDPOINT });
export const POST = Object.assign(wrap(handlers.POST, "POST"), { policy: AUTH_JS_ENDPOINT });
