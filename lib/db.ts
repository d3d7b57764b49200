/**
 * The one PrismaClient (ARCHITECTURE.md "lib/db.ts"): Rust-free engine over the pg driver adapter,
 * reused across Next.js hot reloads so development does not leak connection pools.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { getConfig } from "@/lib/config";

const globalForPrisma = globalThis as unknown as { gatehousePrisma?: PrismaClient };

function createClient(): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: getConfig().databaseUrl,
    // Fail fast when PostgreSQL is unreachable so callers answer 503 quickly instead of hanging.
    connectionTimeoutMillis: 5_000,
    max: 10,
  });
  return new PrismaClient({ adapter });
}

/** The shared PrismaClient. Only lib/ imports it (STYLE.md §4). */
export const db: PrismaClient = globalForPrisma.gatehousePrisma ?? createClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.gatehousePrisma = db;

export type { Prisma } from "@prisma/client";
