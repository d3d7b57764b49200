/**
 * Rate limits counted in memory while far below the limit (lib/rate-limit/rate-limit.ts): written within one flush
 * interval, exact again (one UPSERT a hit, other instances' hits included) from half the limit on, and always exact
 * for the small limits that stop guessing.
 */
import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { flushRateLimitCounts, hitRateLimit } from "@/lib/rate-limit/rate-limit";
import { unique } from "./support";

const stored = async (key: string) => Number((await sql<{ count: number }>`SELECT count FROM rate_limit_buckets WHERE key = ${key}`)[0]?.count ?? 0);

describe("rate limits counted in memory", () => {
  it("counts a large limit's hits in memory below half of it, and writes them all at the next flush", async () => {
    const key = unique("test-local");
    for (let i = 0; i < 100; i++) expect((await hitRateLimit(key, 200, 60, { inMemory: true })).allowed).toBe(true);
    expect(await stored(key)).toBeLessThan(100); // the first hit went to PostgreSQL; the rest wait for the flush
    await flushRateLimitCounts();
    expect(await stored(key)).toBe(100);
  });

  it("from half the limit on, counts every hit in PostgreSQL, so other instances' hits count at once", async () => {
    const key = unique("test-shared");
    for (let i = 0; i < 100; i++) await hitRateLimit(key, 200, 60, { inMemory: true });
    await flushRateLimitCounts();
    await sql`UPDATE rate_limit_buckets SET count = count + 100 WHERE key = ${key}`; // another instance's 100 hits
    const next = await hitRateLimit(key, 200, 60, { inMemory: true });
    expect(next).toMatchObject({ allowed: false, count: 201 });
    expect(await stored(key)).toBe(201);
  });

  it("counts exactly, hit by hit, every limit not asked to count in memory", async () => {
    const key = unique("test-exact");
    for (let i = 0; i < 5; i++) await hitRateLimit(key, 1000, 60);
    expect(await stored(key)).toBe(5);
  });

  it("counts small limits exactly even when asked to count in memory", async () => {
    const key = unique("test-small");
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push((await hitRateLimit(key, 10, 60, { inMemory: true })).allowed);
    expect(answers.filter(Boolean)).toHaveLength(10);
    expect(await stored(key)).toBe(12);
  });
});
