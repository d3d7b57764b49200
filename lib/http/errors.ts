/**
 * One error family (docs/STYLE.md §2, after node-oidc-provider's helpers/errors.js). lib/ throws these; route
 * handlers never build error responses themselves: lib/http/respond.ts maps every error in one function.
 */

/** Gatehouse's own error codes and their HTTP statuses (the one code table). */
export const ERROR_CODES = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  server_error: 500,
  service_unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * OAuth 2.0 token-endpoint error codes, RFC 6749 §5.2 (plus RFC 7009 §2.2.1, RFC 8707 §2 `invalid_target`, and the
 * RFC 7591 §3.2.2 registration errors).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "unsupported_token_type"
  | "invalid_target"
  | "server_error"
  | "temporarily_unavailable";

/** Bearer resource error codes, RFC 6750 §3.1. */
export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

export interface AppErrorOptions {
  /** Whether the description may be shown to the caller; unexposed errors answer a generic message. */
  expose?: boolean;
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Base of every error Gatehouse answers on purpose. `status` is the HTTP status. */
export class AppError extends Error {
  /** The error code on the wire: Gatehouse's table, RFC 6750 §3.1, or RFC 6749 §5.2 for OAuthError. */
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode | BearerErrorCode | OAuthErrorCode, message: string, options: AppErrorOptions & { status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? (code in ERROR_CODES ? ERROR_CODES[code as ErrorCode] : 400);
    this.expose = options.expose ?? this.status < 500;
    this.headers = options.headers ?? {};
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super("invalid_request", message, options);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = "Authentication required.", options?: AppErrorOptions) {
    super("unauthorized", message, options);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "You do not have access to this.", options?: AppErrorOptions) {
    super("forbidden", message, options);
  }
}
/** Also what another tenant's resource answers (docs/ARCHITECTURE.md "Tenancy"). */
export class NotFoundError extends AppError {
  constructor(message = "Not found.", options?: AppErrorOptions) {
    super("not_found", message, options);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super("conflict", message, options);
  }
}
export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = "Too many requests. Try again later.") {
    super("rate_limited", message, { headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}
export class ServiceUnavailableError extends AppError {
  constructor(message = "The service is temporarily unavailable. Try again shortly.", options?: AppErrorOptions) {
    super("service_unavailable", message, { expose: true, headers: { "Retry-After": "5" }, ...options });
  }
}

/**
 * An OAuth 2.0 endpoint error, answered as RFC 6749 §5.2 JSON `{ error, error_description }` whatever the route's
 * error style. `invalid_client` is 401 (§5.2), `server_error` 500, `temporarily_unavailable` 503, the rest 400.
 */
export class OAuthError extends AppError {
  declare readonly code: OAuthErrorCode;
  constructor(code: OAuthErrorCode, description: string, options: { status?: number; headers?: Record<string, string> } = {}) {
    const status = options.status ?? (code === "invalid_client" ? 401 : code === "server_error" ? 500 : code === "temporarily_unavailable" ? 503 : 400);
    super(code, description, { status, headers: options.headers ?? {}, expose: status < 500 || code === "temporarily_unavailable" });
  }
  /** The RFC 6749 §5.2 `error_description`. */
  get description(): string {
    return this.message;
  }
}

/**
 * A Bearer-token failure on a resource endpoint (RFC 6750 §3). `invalid_token` → 401, `insufficient_scope` → 403
 * naming the needed scope. A request with no credentials at all carries no error code (RFC 6750 §3.1).
 */
export class BearerError extends AppError {
  constructor(
    readonly bearerCode: BearerErrorCode | undefined,
    message: string,
    /** The scope(s) the resource needs, for `insufficient_scope`. */
    readonly scope?: string,
  ) {
    const status = bearerCode === "insufficient_scope" ? 403 : bearerCode === "invalid_request" ? 400 : 401;
    super(bearerCode ?? "unauthorized", message, { status });
  }
}
