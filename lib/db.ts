/**
 * The one PrismaClient (ARCHITECTURE.md "lib/db.ts"): Rust-free engine over the pg driver adapter,
 * reused across Next.js hot reloads so development does not leak connection pools.
 *
 * Created on first use, not at import: `next build` imports route modules without a database configuration.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { getConfig } from "@/lib/config";

const globalForPrisma = globalThis as unknown as { gatehousePrisma?: PrismaClient };

function getClient(): PrismaClient {
  if (!globalForPrisma.gatehousePrisma) {
    const adapter = new PrismaPg({
      connectionString: getConfig().databaseUrl,
      // Fail fast when PostgreSQL is unreachable so callers answer 503 quickly instead of hanging.
      connectionTimeoutMillis: 5_000,
      max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    });
    globalForPrisma.gatehousePrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.gatehousePrisma;
}

/** The shared PrismaClient. Only lib/ imports it (STYLE.md §4). */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getClient();
    const value = Reflect.get(client, property, client) as unknown;
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});

export type { Prisma } from "@prisma/client";
