/**
 * A client for services that call Gatehouse (or any RFC 6749 §4.4 authorization server): gets an access token with
 * client credentials, caches it, refreshes it `refreshSkewSeconds` before `expires_in` runs out, lets concurrent
 * callers share one in-flight refresh (single flight), and retries a request once with a fresh token on 401.
 *
 * Dependency-free on purpose (only `fetch`), so a service can copy this file as is.
 *
 * ```ts
 * const tokens = new ServiceTokenManager({
 *   tokenEndpoint: "https://gatehouse.example.com/oauth/token",
 *   clientId: process.env.GATEHOUSE_CLIENT_ID!,
 *   clientSecret: process.env.GATEHOUSE_CLIENT_SECRET!,
 *   scope: "groups:read members:read",
 * });
 * const res = await tokens.fetch(`https://gatehouse.example.com/api/auth/groups/${groupId}/members/${userId}`);
 * const isMember = res.status === 200;
 * ```
 */

export interface ServiceTokenManagerOptions {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes; omitted → the client's default scopes. */
  scope?: string;
  /** RFC 8707 resource indicator. */
  resource?: string;
  /** Refresh this many seconds before expiry (default 60, never more than half the lifetime). */
  refreshSkewSeconds?: number;
  /** Injected for tests; default global fetch. */
  fetch?: typeof fetch;
  /** Injected for tests; milliseconds since the epoch. */
  now?: () => number;
}

/** The authorization server refused the credentials or request (its RFC 6749 §5.2 error is kept). */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorDescription?: string,
  ) {
    super(`token request failed: ${status} ${error}${errorDescription ? ` (${errorDescription})` : ""}`);
    this.name = "TokenRequestError";
  }
}

export class ServiceTokenManager {
  private cached: { token: string; refreshAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: ServiceTokenManagerOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /**
   * A valid access token, from cache or fetched (one request however many callers wait).
   * @throws TokenRequestError when the server refuses; network errors as thrown by fetch
   */
  async getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    this.inflight ??= this.requestToken().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Drops the cached token (the next call fetches a new one). */
  invalidate(): void {
    this.cached = null;
  }

  /**
   * `fetch` with `Authorization: Bearer <token>`; on 401 gets a fresh token and retries once.
   * Bodies must be replayable (string, URLSearchParams, Blob…), not streams.
   */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const send = async (token: string) => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${token}`);
      return this.fetchImpl(input, { ...init, headers });
    };
    const token = await this.getToken();
    const first = await send(token);
    if (first.status !== 401) return first;
    if (this.cached?.token === token) this.invalidate();
    return send(await this.getToken());
  }

  private async requestToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if (this.options.scope) body.set("scope", this.options.scope);
    if (this.options.resource) body.set("resource", this.options.resource);
    const credentials = Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString("base64");
    const response = await this.fetchImpl(this.options.tokenEndpoint, {
      method: "POST",
      headers: { authorization: `Basic ${credentials}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
    });
    const json = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok || typeof json.access_token !== "string") {
      throw new TokenRequestError(response.status, json.error ?? "invalid_response", json.error_description);
    }
    const lifetime = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 300;
    const skew = Math.min(this.options.refreshSkewSeconds ?? 60, lifetime / 2);
    this.cached = { token: json.access_token, refreshAt: this.now() + (lifetime - skew) * 1000 };
    return json.access_token;
  }
}
