/**
 * Fixed-window rate limits stored in PostgreSQL, so every instance counts the same requests (one statement per hit).
 */
import { db } from "@/lib/db";

export interface RateLimitResult {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
}

/**
 * Counts one hit against `key` and says whether it is within `limit` per `windowSeconds`.
 * @param key e.g. `portal-enter:ip:203.0.113.7`
 */
export async function hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
  const [row] = await db.$queryRaw<{ count: number; retry_after: number }[]>`
    INSERT INTO rate_limit_buckets (key, window_start, count) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE rate_limit_buckets.count + 1 END,
      window_start = CASE WHEN rate_limit_buckets.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE rate_limit_buckets.window_start END
    RETURNING count, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${windowSeconds}) - now())))::int AS retry_after`;
  const count = Number(row!.count);
  return { allowed: count <= limit, count, retryAfterSeconds: Math.max(1, Number(row!.retry_after)) };
}

/**
 * The caller's IP as the nearest proxy saw it: the last `X-Forwarded-For` entry (the one our own proxy or
 * `next start` appended; earlier entries are client-supplied and spoofable), else `X-Real-IP`.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
  const ip = last ?? headers.get("x-real-ip") ?? "unknown";
  return ip.slice(0, 64);
}
