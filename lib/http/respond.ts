/**
 * The one place where errors become HTTP responses (docs/ARCHITECTURE.md "Errors"). The route's declared error
 * style picks the wire format:
 *
 * - `oauth`  RFC 6749 §5.2 JSON `{error, error_description}` with `Cache-Control: no-store`.
 * - `bearer` `{error, message}` plus an RFC 6750 §3 `WWW-Authenticate: Bearer …` challenge on 401/403.
 * - `mcp`    the MCP endpoint's contract: every 401 is one fixed body with `WWW-Authenticate: Bearer
 *            resource_metadata="…"` (RFC 9728 §5.1), `insufficient_scope` a 403 naming the scope.
 * - `portal-page` HTML for browsers entering the client portal (access-required, rate-limit, outage pages).
 * - `json`   everything else: `{error, message}`.
 * An OAuthError is always answered in RFC 6749 form. Unexpected errors are logged with the request id and answered
 * 500 without internals.
 */
import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError, BearerError, OAuthError, ServiceUnavailableError } from "@/lib/http/errors";
import { ACCESS_REQUIRED_BODY, ACCESS_REQUIRED_TITLE, htmlPage } from "@/lib/http/html-pages";
import { requestLogger } from "@/lib/http/logger";
import { isDatabaseUnavailable, isUnstorableText } from "@/lib/http/database-errors";

export type ErrorStyle = "json" | "oauth" | "bearer" | "mcp" | "portal-page";

/** The MCP endpoint's 401 body (its public contract, unchanged since the endpoint shipped). */
const MCP_UNAUTHORIZED_BODY = {
  error: "Unauthorized",
  message: "Valid API key required. Use Authorization: Bearer mg_... or X-API-Key: mg_...",
} as const;

export interface ToResponseOptions {
  style?: ErrorStyle;
  requestId?: string;
  /** RFC 6750 realm (default `gatehouse`). */
  realm?: string;
  /** RFC 9728 §5.1: the protected resource's metadata URL, for `mcp` challenges. */
  resourceMetadata?: string;
  /** Headers every answer of this route carries (e.g. the MCP endpoint's CORS headers). */
  headers?: Record<string, string>;
}

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

/** Quotes a value for an RFC 7235 auth-param (backslash-escapes `"` and `\`). */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Names the offending fields of a zod error, e.g. `name: Too small: expected string to have >=1 characters`. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Brings anything thrown into the AppError family (null for a truly unexpected error). */
function normalize(error: unknown, style: ErrorStyle, requestId: string): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return style === "oauth" ? new OAuthError("invalid_request", describeZodError(error)) : new AppError("invalid_request", describeZodError(error));
  if (isDatabaseUnavailable(error)) {
    requestLogger(requestId).error({ err: summarize(error) }, "database unavailable");
    return style === "oauth" ? new OAuthError("temporarily_unavailable", "The service is temporarily unavailable.", { headers: { "Retry-After": "5" } }) : new ServiceUnavailableError();
  }
  if (isUnstorableText(error)) {
    const message = "The request contains characters that are not allowed (such as a NUL byte).";
    return style === "oauth" ? new OAuthError("invalid_request", message) : new AppError("invalid_request", message);
  }
  return null;
}

/**
 * Maps any thrown value to a Response.
 * @param error   anything thrown by a handler or a policy
 * @param options `style` picks the wire format; `requestId` is echoed in `X-Request-Id` and logged
 */
export function toResponse(error: unknown, options: ToResponseOptions = {}): Response {
  const style = options.style ?? "json";
  const requestId = options.requestId ?? randomUUID();
  const base = { ...options.headers, "X-Request-Id": requestId };
  const known = normalize(error, style, requestId);

  if (!known) {
    requestLogger(requestId).error({ err: summarize(error) }, "unexpected error");
    if (style === "oauth") return Response.json({ error: "server_error", error_description: "Internal server error." }, { status: 500, headers: { ...base, ...NO_STORE } });
    if (style === "portal-page") return htmlPage(500, "Something went wrong", ["Try again in a moment."], { headers: base });
    return Response.json({ error: "server_error", message: "Internal server error." }, { status: 500, headers: base });
  }

  const message = known.expose ? known.message : "Internal server error.";
  const headers: Record<string, string> = { ...base, ...known.headers };

  if (known instanceof OAuthError || style === "oauth") {
    // RFC 6749 §5.2 has no code for an oversized or mistyped body: it is an invalid_request.
    const code = known instanceof OAuthError || known.status === 429 || known.status >= 500 ? known.code : known.status === 401 ? "invalid_client" : "invalid_request";
    return Response.json({ error: code, error_description: message }, { status: known.status, headers: { ...headers, ...NO_STORE } });
  }

  // MCP: every credential problem, a malformed Authorization header included, is the one 401.
  if (style === "mcp" && (known.status === 401 || (known instanceof BearerError && known.bearerCode !== "insufficient_scope"))) {
    const challenge = options.resourceMetadata ? `Bearer resource_metadata=${quote(options.resourceMetadata)}` : "Bearer";
    return Response.json(MCP_UNAUTHORIZED_BODY, { status: 401, headers: { ...headers, "WWW-Authenticate": challenge, ...NO_STORE } });
  }

  if (style === "portal-page") {
    if (known.status === 401 || known.status === 403 || known.status === 404) return htmlPage(known.status, ACCESS_REQUIRED_TITLE, [ACCESS_REQUIRED_BODY], { headers });
    if (known.status === 429) return htmlPage(429, "Too many attempts", [message], { headers });
    if (known.status === 503) return htmlPage(503, "Temporarily unavailable", ["We cannot reach our database right now. Try again in a few seconds."], { headers });
    return htmlPage(known.status, "This request could not be handled", [message], { headers });
  }

  if (known instanceof BearerError || ((style === "bearer" || style === "mcp") && known.status === 401)) {
    const params = style === "mcp" ? [] : [`realm=${quote(options.realm ?? "gatehouse")}`];
    const bearerCode = known instanceof BearerError ? known.bearerCode : "invalid_token";
    if (bearerCode) params.push(`error=${quote(bearerCode)}`, ...(style === "mcp" ? [] : [`error_description=${quote(known.message)}`]));
    if (known instanceof BearerError && known.scope) params.push(`scope=${quote(known.scope)}`);
    if (style === "mcp" && options.resourceMetadata) params.push(`resource_metadata=${quote(options.resourceMetadata)}`);
    headers["WWW-Authenticate"] = `Bearer ${params.join(", ")}`;
  }
  const body: Record<string, string> = { error: known.code, message };
  if (known instanceof BearerError && known.scope) body.scope = known.scope;
  return Response.json(body, { status: known.status, headers: style === "mcp" ? { ...headers, ...NO_STORE } : headers });
}

/** What of an unexpected error goes to the log: name, message and stack, never request data. */
function summarize(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
