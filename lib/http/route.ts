/**
 * Route-handler wiring (STYLE.md §1): every handler is `route(style, async (request, context, meta) => …)`.
 * The wrapper assigns the request id, and turns every thrown error into a response through `toResponse`.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { acceptableRequestId } from "@/lib/http/security-headers";
import { requestLogger } from "@/lib/http/logger";
import { toResponse, type ErrorStyle } from "@/lib/http/respond";

export interface RouteMeta {
  requestId: string;
  log: Logger;
}

/**
 * Wraps a route handler.
 * @param style the error wire format for this endpoint (`json`, `oauth`, `bearer`)
 * @param handler the handler; whatever it throws becomes a 4xx/5xx response, never an unhandled 500 page
 */
export function route<Context = unknown>(
  style: ErrorStyle,
  handler: (request: Request, context: Context, meta: RouteMeta) => Promise<Response> | Response,
): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    const requestId = acceptableRequestId(request.headers.get("x-request-id")) ?? randomUUID();
    try {
      const response = await handler(request, context, { requestId, log: requestLogger(requestId) });
      return response;
    } catch (error) {
      return toResponse(error, { style, requestId });
    }
  };
}
