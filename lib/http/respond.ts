/**
 * The one place where errors become HTTP responses (ARCHITECTURE.md "Errors").
 *
 * - `oauth`  endpoints answer RFC 6749 §5.2 JSON `{error, error_description}` with `Cache-Control: no-store`.
 * - `bearer` resources answer `{error, message}` plus an RFC 6750 §3 `WWW-Authenticate: Bearer …` challenge.
 * - `json`   everything else answers `{error, message}`.
 * Unexpected errors are logged with the request id and answered 500 without internals.
 */
import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError, BearerError, OAuthError, ServiceUnavailableError } from "@/lib/http/errors";
import { requestLogger } from "@/lib/http/logger";
import { isDatabaseUnavailable, isUnstorableText } from "@/lib/http/database-errors";

export type ErrorStyle = "json" | "oauth" | "bearer";

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

/**
 * Maps any thrown value to a Response.
 * @param error   anything thrown by a handler
 * @param options `style` picks the wire format; `requestId` is echoed in `X-Request-Id` and logged
 */
export function toResponse(error: unknown, options: { style?: ErrorStyle; requestId?: string; realm?: string } = {}): Response {
  const style = options.style ?? "json";
  const requestId = options.requestId ?? randomUUID();
  const base = { "X-Request-Id": requestId };

  if (error instanceof ZodError) {
    error = style === "oauth" ? new OAuthError("invalid_request", describeZodError(error)) : new AppError("invalid_request", describeZodError(error));
  } else if (!(error instanceof AppError) && !(error instanceof OAuthError) && isDatabaseUnavailable(error)) {
    requestLogger(requestId).error({ err: summarize(error) }, "database unavailable");
    error = style === "oauth" ? new OAuthError("temporarily_unavailable", "The service is temporarily unavailable.", { status: 503, headers: { "Retry-After": "5" } }) : new ServiceUnavailableError();
  } else if (!(error instanceof AppError) && !(error instanceof OAuthError) && isUnstorableText(error)) {
    const message = "The request contains characters that are not allowed (such as a NUL byte).";
    error = style === "oauth" ? new OAuthError("invalid_request", message) : new AppError("invalid_request", message);
  }

  if (error instanceof OAuthError) {
    return Response.json(
      { error: error.code, error_description: error.description },
      { status: error.status, headers: { ...base, ...NO_STORE, ...error.headers } },
    );
  }

  if (error instanceof AppError) {
    const headers: Record<string, string> = { ...base, ...error.headers };
    if (error instanceof BearerError || (style === "bearer" && error.status === 401)) {
      const params = [`realm=${quote(options.realm ?? "gatehouse")}`];
      const bearerCode = error instanceof BearerError ? error.bearerCode : "invalid_token";
      if (bearerCode) params.push(`error=${quote(bearerCode)}`, `error_description=${quote(error.message)}`);
      if (error instanceof BearerError && error.scope) params.push(`scope=${quote(error.scope)}`);
      headers["WWW-Authenticate"] = `Bearer ${params.join(", ")}`;
    }
    const body: Record<string, string> = { error: error.code, message: error.expose ? error.message : "Internal server error." };
    if (error instanceof BearerError && error.scope) body.scope = error.scope;
    if (style === "oauth") {
      return Response.json({ error: error.code, error_description: body.message }, { status: error.status, headers: { ...headers, ...NO_STORE } });
    }
    return Response.json(body, { status: error.status, headers });
  }

  requestLogger(requestId).error({ err: summarize(error) }, "unexpected error");
  if (style === "oauth") {
    return Response.json({ error: "server_error", error_description: "Internal server error." }, { status: 500, headers: { ...base, ...NO_STORE } });
  }
  return Response.json({ error: "server_error", message: "Internal server error." }, { status: 500, headers: base });
}

/** What of an unexpected error goes to the log: name, message and stack, never request data. */
function summarize(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
