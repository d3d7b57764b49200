/**
 * The route-handler adapter (docs/STYLE.md §1; docs/ARCHITECTURE.md "One declared policy per entry point"). Every
 * `app/**\/route.ts` handler is `route(policy, async (request, { principal, params, … }) => Response)`:
 *
 *   request id → body limit (413 before any credential work; chunked bodies while they stream) → `authorize(policy)`
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
import { AppError, NotFoundError } from "@/lib/http/errors";
import { acceptableRequestId, apiSecurityHeaders, staticPageSecurityHeaders } from "@/lib/http/security-headers";
import { getConfig } from "@/lib/config";
import { requestLogger } from "@/lib/http/logger";
import { toResponse, type ErrorStyle, type ToResponseOptions } from "@/lib/http/respond";
import { clientIp } from "@/lib/rate-limit/client-ip";
import { readFormParams } from "@/lib/oauth/token-request";

/** Largest body accepted by default, bytes. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface RouteContext<P extends AccessPolicy, Params> {
  principal: PrincipalFor<P>;
  params: Params;
  /**
   * The `application/x-www-form-urlencoded` body, parsed strictly (RFC 6749 §3.2: each parameter once, bounded), read
   * once: OAuth client policies have already read it to authenticate the client.
   * @throws OAuthError `invalid_request` for another content type or a repeated or oversized parameter
   */
  form(): Promise<Map<string, string>>;
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
 * @param handler  receives the request (its body within the limit; read it as usual) and the narrowed principal
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
      const body = memoizedBody(request);
      const principal = await authorize(policy, { headers: request.headers, method: request.method, bodyReader: body }, { requestId });
      const params = await readParams(nextContext, options.params ?? []);
      return stamped(await handler(request, {
        principal,
        params,
        form: body.form,
        requestId,
        get ip() {
          return clientIp(request);
        },
        log: requestLogger(requestId),
      }), requestId);
    } catch (error) {
      return stamped(toResponse(error, errorOptions), requestId);
    }
  };
  return Object.assign(wrapped, { policy });
}

/**
 * Every answer carries its request id and security headers (the API set, or the script-free page set for HTML),
 * whichever router served it: Next, or the fast lane (scripts/lib/fast-lane.ts), which has no middleware.
 */
function stamped(response: Response, requestId: string): Response {
  try {
    response.headers.set("X-Request-Id", requestId);
    const isHttps = getConfig().appUrl.startsWith("https://");
    // An HTML answer (the portal's pages and refusal pages) carries no script: the static-page headers, unless its
    // handler set its own. Everything else is an API answer.
    const html = (response.headers.get("content-type") ?? "").startsWith("text/html");
    for (const [name, value] of Object.entries(html ? staticPageSecurityHeaders(isHttps) : apiSecurityHeaders(isHttps))) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    return response;
  } catch {
    return response; // an immutable Response (none of Gatehouse's handlers return one)
  }
}

/** The body readers a request's policy and handler share: each reads the stream at most once. */
function memoizedBody(request: Request): { form(): Promise<Map<string, string>>; json(): Promise<unknown> } {
  let form: Promise<Map<string, string>> | undefined;
  let json: Promise<unknown> | undefined;
  return {
    form: () => (form ??= readFormParams(request)),
    json: () => (json ??= request.json()),
  };
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
 * Enforces the policy's body limit before any credential work. A declared Content-Length is checked without reading
 * (Node's HTTP parser delivers exactly that many bytes, never more, so the handler reads the original stream); a
 * chunked body (no Content-Length) is read with the limit while it streams and handed on buffered.
 * @throws AppError 413 `payload_too_large`
 */
async function bufferBody(request: Request, policy: AccessPolicy): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD" || request.body === null) return request;
  const maxBytes = policy.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBytes) throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
    return request;
  }
  const body = await readBodyLimited(request, maxBytes);
  return new Request(request.url, { method: request.method, headers: request.headers, body: body.byteLength ? (body as Uint8Array<ArrayBuffer>) : null, signal: request.signal });
}
