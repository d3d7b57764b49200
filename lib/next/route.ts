/**
 * The route-handler adapter (docs/STYLE.md §1; docs/ARCHITECTURE.md "One declared policy per entry point"). Every
 * `app/**\/route.ts` handler is `route(policy, async (request, { principal, params, … }) => Response)`:
 *
 *   request id → body read with its limit (413 while it streams, before any credential work) → `authorize(policy)`
 *   → the handler, with the principal narrowed to what the policy accepts → any error through the one `toResponse`
 *   in the policy's style.
 *
 * The policy is attached to the returned function (`handler.policy`), so tests enumerate every route's declared
 * access from the modules themselves.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { authorize, type AccessPolicy, type PrincipalFor } from "@/lib/auth/policy";
import { readBodyLimited } from "@/lib/http/body";
import { NotFoundError } from "@/lib/http/errors";
import { acceptableRequestId } from "@/lib/http/security-headers";
import { requestLogger } from "@/lib/http/logger";
import { toResponse, type ErrorStyle, type ToResponseOptions } from "@/lib/http/respond";
import { clientIp } from "@/lib/rate-limit/client-ip";

/** Largest body accepted by default, bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface RouteContext<P extends AccessPolicy, Params> {
  principal: PrincipalFor<P>;
  params: Params;
  requestId: string;
  /** The caller's address (lib/rate-limit/client-ip.ts). */
  ip: string;
  log: Logger;
}

/** A route policy: any policy whose errors are rendered by toResponse (pages use the page adapter). */
export type RoutePolicy = AccessPolicy & { errors: ErrorStyle };

export type RouteHandler = ((request: Request, context: { params?: Promise<Record<string, string | string[]>> }) => Promise<Response>) & {
  readonly policy: RoutePolicy;
};

/**
 * Wraps a route handler with its declared policy.
 * @param policy   who may call (lib/auth/policy.ts), and the error style
 * @param handler  receives a request whose body is already buffered (read it as usual) and the narrowed principal
 * @param options.params the dynamic segments the handler reads (typed as strings; a missing one is 404)
 * @param options.responseHeaders headers for every answer, errors included (e.g. the MCP endpoint's CORS headers)
 * @param options.resourceMetadata RFC 9728 metadata URL for `mcp` challenges (a function: config is read per request)
 */
export function route<const P extends RoutePolicy, const K extends string = never>(
  policy: P,
  handler: (request: Request, context: RouteContext<P, Record<K, string>>) => Promise<Response> | Response,
  options: { params?: readonly K[]; responseHeaders?: Record<string, string>; resourceMetadata?: () => string } = {},
): RouteHandler {
  const wrapped = async (incoming: Request, nextContext: { params?: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    const requestId = acceptableRequestId(incoming.headers.get("x-request-id")) ?? randomUUID();
    const errorOptions: ToResponseOptions = { style: policy.errors, requestId, headers: options.responseHeaders };
    try {
      if (options.resourceMetadata) errorOptions.resourceMetadata = options.resourceMetadata();
      const request = await bufferBody(incoming, policy);
      const principal = await authorize(policy, { headers: request.headers, method: request.method, clone: () => request.clone() }, { requestId });
      const params = await readParams(nextContext, options.params ?? []);
      return await handler(request, {
        principal,
        params,
        requestId,
        get ip() {
          return clientIp(request);
        },
        log: requestLogger(requestId),
      });
    } catch (error) {
      return toResponse(error, errorOptions);
    }
  };
  return Object.assign(wrapped, { policy });
}

async function readParams<K extends string>(nextContext: { params?: Promise<Record<string, string | string[]>> } | undefined, names: readonly K[]): Promise<Record<K, string>> {
  const raw = (await nextContext?.params) ?? {};
  const params = {} as Record<K, string>;
  for (const name of names) {
    const value = raw[name];
    if (typeof value !== "string") throw new NotFoundError();
    params[name] = value;
  }
  return params;
}

/**
 * Reads the body (if the method has one) with the policy's limit while it streams, so a chunked or lying
 * Content-Length cannot make the server buffer more; returns a request carrying the buffered bytes.
 */
async function bufferBody(request: Request, policy: AccessPolicy): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD" || request.body === null) return request;
  const body = await readBodyLimited(request, policy.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  return new Request(request.url, { method: request.method, headers: request.headers, body: body.byteLength ? (body as Uint8Array<ArrayBuffer>) : null, signal: request.signal });
}
