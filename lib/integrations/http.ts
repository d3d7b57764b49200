/**
 * HTTP for the directory connectors (Okta, Google Workspace, Entra ID): a JSON GET with a Bearer access token
 * (RFC 6750 §2.1) that waits out throttling the way each provider asks (429/503 with `Retry-After`, RFC 9110 §10.2.3,
 * or Okta's `X-Rate-Limit-Reset`), RFC 8288 `Link` parsing, paging and bounded concurrency, and the per-run session
 * that holds the access token and keeps every request on the provider's origin.
 *
 * Errors are IntegrationErrors whose messages are safe to show the partner: a status and an API path, never a token,
 * a query string or the provider's own error text.
 */
import { getAccessToken } from "@/lib/integrations/oauth";
import { IntegrationError, type SyncContext } from "@/lib/integrations/types";

/** Retries of one request answered 429 or 503 before giving up. */
export const MAX_RETRIES = 5;
/** The longest single wait (ms) for a throttled request, whatever the provider asks. */
export const MAX_RETRY_WAIT_MS = 30_000;

/** A provider's non-2xx answer, with its HTTP status for callers that react to one (a 401 renews the token). */
export class ProviderResponseError extends IntegrationError {
  override name = "ProviderResponseError";
  constructor(
    message: string,
    code: IntegrationError["code"],
    readonly status: number,
  ) {
    super(message, code);
  }
}

/**
 * GETs a JSON document with `Authorization: Bearer`. 429 and 503 are retried up to MAX_RETRIES times after the wait
 * `retryDelayMs` computes (each at most 30 s; the signal cuts any wait short). Redirects are refused (a redirect must
 * not carry the token elsewhere).
 *
 * @param url                 an absolute https (or, locally, http) URL of the provider's API
 * @param options.accessToken the OAuth access token; never logged, never in an error
 * @param options.signal      aborts the request and any wait: the promise rejects with the signal's reason
 * @param options.provider    the provider's display name for error messages (default "The provider")
 * @returns the parsed body and the response headers
 * @throws ProviderResponseError on a non-2xx answer: 401 and 403 `access_denied`, 429/503 after the retries
 *   `throttled`, anything else `provider_error`; IntegrationError `provider_error` when unreachable or not JSON
 */
export async function getJson<T = unknown>(url: string, options: { accessToken: string; signal: AbortSignal; provider?: string }): Promise<{ body: T; headers: Headers }> {
  const provider = options.provider ?? "The provider";
  const path = new URL(url).pathname;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${options.accessToken}`, accept: "application/json" },
        signal: options.signal,
        redirect: "error",
      });
    } catch {
      options.signal.throwIfAborted();
      throw new IntegrationError(`${provider} could not be reached. Try again in a moment.`);
    }
    if (response.ok) {
      try {
        return { body: (await response.json()) as T, headers: response.headers };
      } catch {
        options.signal.throwIfAborted();
        throw new IntegrationError(`${provider} answered ${path} with something other than JSON.`);
      }
    }
    await response.body?.cancel().catch(() => undefined);
    if ((response.status === 429 || response.status === 503) && attempt < MAX_RETRIES) {
      await sleep(retryDelayMs(response.headers, attempt), options.signal);
      continue;
    }
    throw responseError(response.status, provider, path);
  }
}

function responseError(status: number, provider: string, path: string): ProviderResponseError {
  if (status === 401) return new ProviderResponseError(`${provider} refused Gatehouse's access token (HTTP 401). If this persists, connect the directory again.`, "access_denied", status);
  if (status === 403) {
    return new ProviderResponseError(
      `${provider} denied Gatehouse access to ${path} (HTTP 403): the administrator who connected it may lack the permission, or a required scope was not granted.`,
      "access_denied",
      status,
    );
  }
  if (status === 429 || status === 503) return new ProviderResponseError(`${provider} kept throttling Gatehouse (HTTP ${status}) after ${MAX_RETRIES} retries. The next sync will try again.`, "throttled", status);
  return new ProviderResponseError(`${provider} answered HTTP ${status} to ${path}.`, "provider_error", status);
}

/**
 * How long (ms) to wait before retrying a throttled request, clamped to [0, MAX_RETRY_WAIT_MS]:
 * `Retry-After` in seconds or as an HTTP date (RFC 9110 §10.2.3); else Okta's `X-Rate-Limit-Reset` (epoch seconds
 * when the window resets); else 1 s, 2 s, 4 s… by attempt. Dates are measured against the response's `Date` header
 * when present (the provider's clock, as Okta advises), else against `now`.
 * @param attempt 0 for the first retry
 * @param now     ms since the epoch
 */
export function retryDelayMs(headers: Headers, attempt: number, now = Date.now()): number {
  const serverNow = Date.parse(headers.get("date") ?? "") || now;
  const retryAfter = headers.get("retry-after")?.trim();
  const reset = headers.get("x-rate-limit-reset")?.trim();
  let wait: number;
  if (retryAfter && /^\d+$/.test(retryAfter)) wait = Number(retryAfter) * 1000;
  else if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) wait = Date.parse(retryAfter) - serverNow;
  else if (reset && /^\d+$/.test(reset)) wait = Number(reset) * 1000 - serverNow;
  else wait = 1000 * 2 ** attempt;
  return Math.min(Math.max(wait, 0), MAX_RETRY_WAIT_MS);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The target of the `rel="next"` link in an RFC 8288 `Link` header (as Okta pages), or null when there is none.
 * The target is returned as written (possibly relative: resolve it against the request URL).
 * @example nextLinkFromHeader('<https://a.okta.com/api/v1/users?after=x>; rel="next"') // "https://a.okta.com/api/v1/users?after=x"
 */
export function nextLinkFromHeader(link: string | null): string | null {
  if (!link) return null;
  for (const [, target, params] of link.matchAll(/<([^>]*)>((?:\s*;\s*[\w*.-]+\s*(?:=\s*(?:"[^"]*"|[^;,\s]*))?)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params ?? "");
    if ((rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/).includes("next")) return target!;
  }
  return null;
}

/** One API session of a sync run: GETs with the integration's access token, only on the provider's origin. */
export interface DirectorySession {
  /**
   * GETs `url` with the access token (see `getJson`). A 401 renews the token once per run (when a refresh was due,
   * `getAccessToken` returns a new one) and retries; otherwise the error stands.
   * @throws IntegrationError for a URL outside the provider's origin (a `next` link must not take the token elsewhere)
   */
  get<T = unknown>(url: string): Promise<{ body: T; headers: Headers }>;
}

/**
 * Opens the run's session: gets the access token once (lib/integrations/oauth.ts `getAccessToken`, which refreshes
 * when due) and audits `integration.credential_used` once.
 * @param options.origin   the provider API's origin, e.g. `https://acme.okta.com`
 * @param options.provider the provider's display name for error messages
 * @throws IntegrationError from getAccessToken (e.g. `reconnect_needed`)
 */
export async function openDirectorySession(ctx: SyncContext, options: { origin: string; provider: string }): Promise<DirectorySession> {
  let token = await getAccessToken(ctx.integration, ctx.signal);
  await ctx.audit("credential_used", { via: "oauth_access_token" });
  let renewal: Promise<string> | null = null;
  const request = <T>(url: string, accessToken: string) => getJson<T>(url, { accessToken, signal: ctx.signal, provider: options.provider });
  return {
    async get<T>(url: string) {
      if (new URL(url).origin !== options.origin) throw new IntegrationError(`${options.provider} sent Gatehouse to another host; the sync stopped.`);
      const used = token;
      try {
        return await request<T>(url, used);
      } catch (error) {
        if (!(error instanceof ProviderResponseError && error.status === 401)) throw error;
        renewal ??= getAccessToken(ctx.integration, ctx.signal);
        token = await renewal;
        if (token === used) throw error;
        return request<T>(url, token);
      }
    },
  };
}

/**
 * Follows a paginated listing from `first` until there is no next page or `max` items were read.
 * @param readPage reads one page: its items and the absolute URL of the next page (null: the last)
 * @param onPage   called after each page with the count read so far (progress)
 * @returns at most `max` items, in order
 */
export async function collectPages<T>(first: string, readPage: (url: string) => Promise<{ items: T[]; next: string | null }>, max: number, onPage?: (read: number) => void): Promise<T[]> {
  const items: T[] = [];
  let url: string | null = first;
  while (url !== null && items.length < max) {
    const page: { items: T[]; next: string | null } = await readPage(url);
    items.push(...page.items);
    onPage?.(Math.min(items.length, max));
    url = page.next;
  }
  return items.slice(0, max);
}

/**
 * Runs `task` for every item, at most `concurrency` at a time; rejects with the first failure (no new tasks start
 * after it).
 */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * `value` when it is an array, else an IntegrationError naming the provider (a response outside the documented shape).
 */
export function arrayOf<T>(value: unknown, provider: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new IntegrationError(`${provider} answered with a listing Gatehouse does not recognise.`);
  return value as T[];
}
