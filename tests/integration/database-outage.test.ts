import path from "node:path";
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { startEmbeddedPostgres, findFreePort, type RunningPostgres } from "../../scripts/lib/postgres.ts";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";
import { toResponse } from "@/lib/http/respond";

// A PostgreSQL of its own, so stopping it cannot disturb the other integration tests.
const dataDir = path.resolve(import.meta.dirname, "..", "..", ".data", `outage-postgres-${process.pid}`);
let server: RunningPostgres | undefined;

afterAll(async () => {
  await server?.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

describe("database outage", () => {
  it("answers 503 while PostgreSQL is down and recovers without a restart when it returns", async () => {
    const port = await findFreePort();
    server = await startEmbeddedPostgres({ dataDir, port, database: "outage", persistent: false });
    // Same driver and options as lib/db.ts.
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: server.url, connectionTimeoutMillis: 5_000 }) });
    expect(await client.$queryRaw`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);

    await server.stop();
    const failure = await client.$queryRaw`SELECT 1`.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeDefined();
    expect(isDatabaseUnavailable(failure)).toBe(true);
    const response = toResponse(failure);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: "service_unavailable", message: expect.stringMatching(/temporarily unavailable/) });

    server = await startEmbeddedPostgres({ dataDir, port, database: "outage", persistent: false });
    expect(await client.$queryRaw`SELECT 2 AS ok`).toEqual([{ ok: 2 }]);
    await client.$disconnect();
  });
});
