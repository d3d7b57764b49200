/**
 * Auth.js route handlers, wrapped so that
 * - sign-in starts (POST /api/auth/signin/*) and OAuth callbacks (/api/auth/callback/*) are rate limited per IP
 *   (RATE_LIMIT_SIGN_IN_PER_MINUTE; 429 + Retry-After, counted in PostgreSQL across instances), and
 * - a database outage answers 503 instead of a sign-in error loop.
 */
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { toResponse } from "@/lib/http/respond";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";
import { clientIp, enforceRateLimit } from "@/lib/http/rate-limit";

/** The Auth.js actions that start or finish a sign-in; session reads, CSRF and provider lists stay unlimited. */
const SIGN_IN_PATH = /\/api\/auth\/(signin|callback)\/[^/]+$/;

function wrap(handler: (request: NextRequest) => Promise<Response>, method: "GET" | "POST") {
  return async (request: NextRequest): Promise<Response> => {
    const requestId = request.headers.get("x-request-id") ?? undefined;
    try {
      const { pathname } = new URL(request.url);
      // GET /signin/{provider} only renders a page; POST starts the flow. Callbacks arrive as GET or POST.
      if (SIGN_IN_PATH.test(pathname) && (method === "POST" || pathname.includes("/callback/"))) {
        const ip = clientIp(request.headers);
        await enforceRateLimit("sign-in", `ip:${ip}`, { ip, requestId }, "Too many sign-in attempts from your network. Wait a minute and try again.");
      }
      return await handler(request);
    } catch (error) {
      return toResponse(error, { requestId });
    }
  };
}

export const GET = wrap(handlers.GET, "GET");
export const POST = wrap(handlers.POST, "POST");
