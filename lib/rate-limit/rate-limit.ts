/**
 * Fixed-window rate limits stored in PostgreSQL, so every instance counts the same requests. The table is UNLOGGED:
 * counters skip the write-ahead log (no fsync on the request path) and are emptied after a crash, which for
 * one-minute windows loses nothing that matters.
 *
 * The token endpoint's per-client limit (the one on a hot path: `inMemory` below) is counted in memory while far
 * below the limit (issue 16): a key whose count, as PostgreSQL last said plus this process's unwritten hits, stays at
 * or below half its limit is counted here and written every FLUSH_INTERVAL_MS in one UPSERT; above half, and for any
 * limit under LOCAL_COUNTING_MIN_LIMIT, every hit is one UPSERT and the answer is exact across instances. Every other
 * limit (sign-in, portal links, client exchange, failed client authentications: the ones that stop guessing) is
 * always exact. Error bound: a limit can be exceeded only if the instances together admit more than half of it for
 * one key within one flush interval while each believed it below half (what another instance counted is learnt at
 * the next flush): for 600 a minute per client and address, over 300 requests in about 250 ms. A crash loses at most
 * one interval of counts.
 *
 * Gatehouse's own code rather than a library: the store must be the database every instance already shares,
 * and the limiter is one UPSERT and a map.
 */
import { getConfig, type RateLimits } from "@/lib/config";
import { sql } from "@/lib/db";
import { recordAuditInBackground, type AuditActorType } from "@/lib/audit/record-audit";
import { RateLimitedError } from "@/lib/http/errors";
import { logger } from "@/lib/http/logger";

export interface RateLimitResult {
  allowed: boolean;
  /** Hits in the current window, this one included (as far as this process knows). */
  count: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
  /** Whether this hit took the window over its limit (the moment to audit, once per window). */
  crossedLimit: boolean;
}

/** Limits below this are always counted in PostgreSQL, hit by hit. */
export const LOCAL_COUNTING_MIN_LIMIT = 100;
/** How often hits counted in memory are written, ms. */
export const FLUSH_INTERVAL_MS = 250;

interface LocalBucket {
  limit: number;
  windowSeconds: number;
  /** The count PostgreSQL answered last (all instances' hits up to then). */
  known: number;
  /** Hits admitted here and not yet sent to PostgreSQL. */
  pending: number;
  /** Hits being written by a flush right now (admitted, not yet in `known`). */
  inFlight: number;
  /** When the window PostgreSQL keeps ends, ms since the epoch. */
  windowEndsAt: number;
}

const local = new Map<string, LocalBucket>();
let flushTimer: NodeJS.Timeout | undefined;
let flushing: Promise<void> | undefined;

/** Writes the counts within FLUSH_INTERVAL_MS, unless a write is already scheduled (the timer never keeps a process alive). */
function scheduleFlush(): void {
  flushTimer ??= setTimeout(() => void flushRateLimitCounts(), FLUSH_INTERVAL_MS).unref();
}

/** Adds `hits` to `key` in PostgreSQL (starting a new window when the old one ended). */
async function addHits(key: string, hits: number, windowSeconds: number): Promise<{ count: number; retryAfterSeconds: number }> {
  const [row] = await sql<{ count: number; retry_after: number }>`
    INSERT INTO rate_limit_buckets (key, window_start, count) VALUES (${key}, now(), ${hits})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN ${hits} ELSE rate_limit_buckets.count + ${hits} END,
      window_start = CASE WHEN rate_limit_buckets.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE rate_limit_buckets.window_start END
    RETURNING count, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${windowSeconds}) - now())))::int AS retry_after`;
  if (Math.random() < PRUNE_PROBABILITY) pruneExpiredBuckets();
  return { count: Number(row!.count), retryAfterSeconds: Math.max(1, Number(row!.retry_after)) };
}

/** Takes what PostgreSQL answered into the bucket: a new window resets it; in the same window the count only grows. */
function learn(bucket: LocalBucket, count: number, retryAfterSeconds: number): void {
  const windowEndsAt = Date.now() + retryAfterSeconds * 1000 - 1000;
  const newWindow = windowEndsAt > bucket.windowEndsAt + 1500;
  bucket.known = newWindow ? count : Math.max(bucket.known, count);
  bucket.windowEndsAt = windowEndsAt;
}

/**
 * Counts one hit against `key` and says whether it is within `limit` per `windowSeconds`.
 * @param key e.g. `portal-enter:ip:203.0.113.7`
 * @param windowSeconds window length in seconds
 * @param options.inMemory count in memory while far below the limit (see the file's header); otherwise exact
 * @throws pg errors when PostgreSQL cannot be reached (hits counted in memory are kept for the next write)
 */
export async function hitRateLimit(key: string, limit: number, windowSeconds: number, options: { inMemory?: boolean } = {}): Promise<RateLimitResult> {
  const now = Date.now();
  const counting = options.inMemory && limit >= LOCAL_COUNTING_MIN_LIMIT;
  let bucket = counting ? local.get(key) : undefined;
  if (bucket && (bucket.windowEndsAt <= now || bucket.limit !== limit || bucket.windowSeconds !== windowSeconds)) bucket = undefined;
  if (bucket && (bucket.known + bucket.pending + bucket.inFlight + 1) * 2 <= limit) {
    bucket.pending += 1;
    scheduleFlush();
    return { allowed: true, count: bucket.known + bucket.pending + bucket.inFlight, retryAfterSeconds: Math.max(1, Math.ceil((bucket.windowEndsAt - now) / 1000)), crossedLimit: false };
  }
  // Exact: this hit and the ones not yet sent, in one statement.
  const unsent = bucket?.pending ?? 0;
  if (bucket) bucket.pending = 0;
  let answer: { count: number; retryAfterSeconds: number };
  try {
    answer = await addHits(key, unsent + 1, windowSeconds);
  } catch (error) {
    if (bucket) bucket.pending += unsent;
    throw error;
  }
  const { count, retryAfterSeconds } = answer;
  if (counting) {
    const current = local.get(key);
    if (current && current.limit === limit && current.windowSeconds === windowSeconds) learn(current, count, retryAfterSeconds);
    else local.set(key, { limit, windowSeconds, known: count, pending: 0, inFlight: 0, windowEndsAt: Date.now() + retryAfterSeconds * 1000 - 1000 });
  }
  return { allowed: count <= limit, count, retryAfterSeconds, crossedLimit: count > limit && count - (unsent + 1) <= limit };
}

/** One pass over the buckets: sends each one's pending hits, learns the shared count, forgets ended windows. */
async function writePending(): Promise<void> {
  const now = Date.now();
  for (const [key, bucket] of local) {
    if (bucket.windowEndsAt <= now && bucket.pending === 0 && bucket.inFlight === 0) {
      local.delete(key);
      continue;
    }
    if (bucket.pending === 0) continue;
    const hits = bucket.pending;
    bucket.pending = 0;
    bucket.inFlight += hits;
    try {
      const { count, retryAfterSeconds } = await addHits(key, hits, bucket.windowSeconds);
      learn(bucket, count, retryAfterSeconds);
    } catch (error) {
      bucket.pending += hits;
      logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "writing rate-limit counts failed");
    } finally {
      bucket.inFlight -= hits;
    }
  }
}

/**
 * Writes the hits counted in memory (every FLUSH_INTERVAL_MS while there are any, and at shutdown), one pass at a
 * time, and forgets buckets whose window ended. Never throws: a failed write is logged and its hits are kept for the
 * next pass (they still count against the limit meanwhile).
 */
export async function flushRateLimitCounts(): Promise<void> {
  flushTimer = undefined;
  while (flushing) await flushing;
  flushing = writePending().finally(() => {
    flushing = undefined;
  });
  await flushing;
  if ([...local.values()].some((b) => b.pending > 0)) scheduleFlush();
}

/** About one hit in a thousand also deletes buckets whose window ended long ago (keys are per IP: they churn). */
const PRUNE_PROBABILITY = 0.001;

function pruneExpiredBuckets(): void {
  // Older than the longest window (one hour, "portal-link-email") plus a margin.
  sql`DELETE FROM rate_limit_buckets WHERE window_start < now() - interval '2 hours'`.catch((error: unknown) => {
    logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "rate-limit bucket pruning failed");
  });
}

/**
 * The limited entry points, each with its limit in the configuration, its audit action and its window in seconds
 * (one minute unless it says otherwise).
 */
const POLICIES = {
  /**
   * POST /oauth/token: per client_id and IP once authenticated; failed client authentications (there, and at
   * introspection and revocation) per IP.
   */
  "oauth-token": { limit: "tokenPerMinute", audit: "oauth.token_rate_limited" },
  /** Sign-in starts (the sign-in page's action, Auth.js POSTs) and OAuth callbacks, per IP. */
  "sign-in": { limit: "signInPerMinute", audit: "auth.sign_in_rate_limited", message: "Too many sign-in attempts from your network. Wait a minute and try again." },
  /** POST /auth/client (client credentials → API key), per IP. */
  "client-exchange": { limit: "clientExchangePerMinute", audit: "auth.client_exchange_rate_limited" },
  /** GET /portal/enter/{token}, per IP. */
  "portal-enter": { limit: "portalEnterPerMinute", audit: "portal.enter_rate_limited", message: "Too many attempts. Wait a minute and try your link again." },
  /** Portal links emailed to a contact (issueAccessLink with `email`), per partner, per hour. */
  "portal-link-email": { limit: "portalEmailsPerHour", audit: "portal.link_email_rate_limited", windowSeconds: 3600 },
  /** POST /oauth/register (RFC 7591 dynamic client registration), per IP, per hour. */
  "client-registration": { limit: "clientRegistrationsPerHour", audit: "oauth.registration_rate_limited", windowSeconds: 3600 },
} as const satisfies Record<string, { limit: keyof RateLimits; audit: string; message?: string; windowSeconds?: number }>;

export type RateLimitPolicy = keyof typeof POLICIES;

/**
 * Counts one request under `policy` in the policy's window (one minute unless it says otherwise) and refuses it
 * when over the configured limit. The first refusal of each window writes one audit event (not one per refused
 * request).
 *
 * @param hit.ip        the caller's address (lib/rate-limit/client-ip.ts), for the audit event; null when unknown
 * @param hit.subject   what the limit is per; default `ip:<ip>`. E.g. `client:gc_123:ip:203.0.113.7`, `partner:<id>`
 * @param hit.requestId for the audit event; `actor` and `partnerId` when known
 * @param hit.inMemory  count in memory while far below the limit (authenticated clients at the token endpoint only)
 * @param message the 429 message shown to the caller (default: the policy's own)
 * @throws RateLimitedError (429 with `Retry-After` in seconds) when over the limit
 */
export async function enforceRateLimit(
  policy: RateLimitPolicy,
  hit: { ip: string | null; subject?: string; requestId?: string; actor?: { type: AuditActorType; id: string }; partnerId?: string; inMemory?: boolean },
  message?: string,
): Promise<void> {
  const subject = hit.subject ?? `ip:${hit.ip}`;
  const context = hit;
  const { limit: limitName, audit, windowSeconds = 60 }: { limit: keyof RateLimits; audit: string; windowSeconds?: number } = POLICIES[policy];
  const limit = getConfig().rateLimits[limitName];
  const result = await hitRateLimit(`${policy}:${subject}`, limit, windowSeconds, { inMemory: hit.inMemory });
  if (result.allowed) return;
  if (result.crossedLimit) {
    recordAuditInBackground({
      action: audit,
      actor: context.actor ?? { type: "anonymous" },
      partnerId: context.partnerId,
      ip: context.ip,
      requestId: context.requestId,
      metadata: windowSeconds === 60 ? { limitPerMinute: limit } : { limit, windowSeconds },
    });
  }
  const policyMessage: string | undefined = "message" in POLICIES[policy] ? (POLICIES[policy] as { message: string }).message : undefined;
  throw new RateLimitedError(result.retryAfterSeconds, message ?? policyMessage);
}
