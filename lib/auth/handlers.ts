/** Auth.js route handlers, wrapped so a database outage answers 503 instead of a sign-in error loop. */
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { toResponse } from "@/lib/http/respond";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";

function wrap(handler: (request: NextRequest) => Promise<Response>) {
  return async (request: NextRequest): Promise<Response> => {
    try {
      return await handler(request);
    } catch (error) {
      if (isDatabaseUnavailable(error)) return toResponse(error, { requestId: request.headers.get("x-request-id") ?? undefined });
      throw error;
    }
  };
}

export const GET = wrap(handlers.GET);
export const POST = wrap(handlers.POST);
