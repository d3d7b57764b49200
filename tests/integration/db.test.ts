import { afterEach, describe, expect, it } from "vitest";
import { db, sql } from "@/lib/db";

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe("sql (hot-path statements on the shared pool)", () => {
  it("binds values as parameters, never as SQL text", async () => {
    const hostile = "x'); DROP TABLE partners; --";
    const [row] = await sql<{ echoed: string }>`SELECT ${hostile}::text AS echoed`;
    expect(row!.echoed).toBe(hostile);
    await expect(db.partner.count()).resolves.toBeGreaterThanOrEqual(0);
  });

  it("reads timestamp columns as UTC, like Prisma, whatever the host's time zone", async () => {
    process.env.TZ = "America/New_York";
    const [row] = await sql<{ t: Date }>`SELECT '2026-01-02 03:04:05.678'::timestamp AS t`;
    expect(row!.t.toISOString()).toBe("2026-01-02T03:04:05.678Z");
    const [prisma] = await db.$queryRaw<{ t: Date }[]>`SELECT '2026-01-02 03:04:05.678'::timestamp AS t`;
    expect(prisma!.t.toISOString()).toBe(row!.t.toISOString());
  });
});
