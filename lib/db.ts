/**
 * The one database connection pool (docs/ARCHITECTURE.md "lib/db.ts") and its two ways in:
 * - `db`, the PrismaClient (Rust-free engine over the pg driver adapter), for everything;
 * - `sql`, a tagged template straight onto the same pg pool, for the few statements on every authenticated
 *   request (rate limits, client authentication, Bearer and API-key checks, the groups API's reads). Prisma's
 *   per-query pipeline costs about 0.3 ms of CPU even for `$queryRaw` (0.7 ms more for a compiled `findFirst`)
 *   against about 0.2 ms for the whole pg round trip (measured; bench/NOTES.md). Hot paths are short,
 *   hand-written SQL anyway; they should not pay for an ORM they do not use.
 *
 * Both are created on first use, not at import (`next build` imports route modules without a database), and
 * reused across Next.js hot reloads so development does not leak pools.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/http/logger";
import { invalidateAll } from "@/lib/cache/invalidation";
import { AsyncLocalStorage } from "node:async_hooks";

const globalForPrisma = globalThis as unknown as { gatehousePrisma?: PrismaClient; gatehousePool?: pg.Pool };

function getPool(): pg.Pool {
  if (!globalForPrisma.gatehousePool) {
    globalForPrisma.gatehousePool = new pg.Pool({
      connectionString: getConfig().databaseUrl,
      // Fail fast when PostgreSQL is unreachable so callers answer 503 quickly instead of hanging.
      connectionTimeoutMillis: 5_000,
      max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
      // Connections are renewed every half hour: `sql`'s named statements are prepared per connection, and a
      // connection opened after a migration prepares them against the new schema.
      maxLifetimeSeconds: 1800,
    });
    // An idle client that loses its connection (PostgreSQL restarted) is dropped by the pool; without a listener
    // the 'error' event would crash the process. The next query reconnects.
    globalForPrisma.gatehousePool.on("error", (error) => logger.warn({ err: { message: error.message } }, "idle database connection lost"));
  }
  return globalForPrisma.gatehousePool;
}

/** Tables whose rows decide access, cached in process (lib/cache/invalidation.ts), and the writes that change them. */
const UPDATES = ["update", "updateMany", "updateManyAndReturn", "upsert", "delete", "deleteMany"];
const ACCESS_WRITES: Record<string, Set<string>> = {
  ApiKey: new Set(UPDATES),
  Partner: new Set(UPDATES),
  OAuthClient: new Set(UPDATES),
  User: new Set(UPDATES),
  // A revocation is an insert (RFC 7009: revoked_tokens).
  RevokedToken: new Set(["create", "createMany", "createManyAndReturn", "upsert"]),
};
/** Whether the interactive transaction running in this async context wrote to one of the ACCESS_WRITES tables. */
const transactionScope = new AsyncLocalStorage<{ wroteAccess: boolean }>();

function getClient(): PrismaClient {
  if (!globalForPrisma.gatehousePrisma) {
    // disposeExternalPool: `db.$disconnect()` still closes the (shared) pool, as scripts expect.
    const base = new PrismaClient({ adapter: new PrismaPg(getPool(), { disposeExternalPool: true }) });
    // This process's own writes empty its caches at once, without waiting for its own NOTIFY (which every other
    // instance receives at commit): after the statement, and again once its transaction has committed, so a read
    // racing the transaction cannot leave the old value cached here.
    const extended = base.$extends({
      query: {
        $allModels: {
          async $allOperations({ model, operation, args, query }) {
            const result = await query(args);
            if (model && ACCESS_WRITES[model]?.has(operation)) {
              invalidateAll();
              const scope = transactionScope.getStore();
              if (scope) scope.wroteAccess = true;
            }
            return result;
          },
        },
      },
    }) as unknown as PrismaClient;
    const transaction = extended.$transaction.bind(extended) as (...args: unknown[]) => Promise<unknown>;
    globalForPrisma.gatehousePrisma = new Proxy(extended, {
      get(target, property, receiver) {
        if (property !== "$transaction") return Reflect.get(target, property, receiver) as unknown;
        return (...args: unknown[]) =>
          transactionScope.run({ wroteAccess: false }, async () => {
            const result = await transaction(...args);
            if (transactionScope.getStore()?.wroteAccess) invalidateAll();
            return result;
          });
      },
    });
  }
  return globalForPrisma.gatehousePrisma;
}

/**
 * Runs one parameterised statement on the shared pool: ``await sql<Row>`SELECT … WHERE id = ${id}` `` → rows.
 * Every interpolated value is a bind parameter ($1, $2, …), never spliced into the text. pg's type parsing applies
 * (timestamptz → Date, arrays → arrays, int8 and numeric → string: cast counts to int), except that `timestamp`
 * without time zone (Prisma's DateTime) is read as UTC, as Prisma reads it, whatever the host's time zone.
 * @throws pg errors (connection errors are recognised by lib/http/database-errors.ts and answered 503)
 */
export async function sql<Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> {
  let statement = statements.get(strings);
  if (!statement) {
    const text = strings.reduce((query, part, index) => `${query}$${index}${part}`);
    // A named statement is parsed and planned once per connection, then only bound and executed: the statements on
    // every request (sessions, groups, rate limits) spend less of PostgreSQL's CPU (bench/NOTES.md, issue 16).
    // Statements name their columns (no `SELECT *`/`RETURNING *`), so a migration that adds a column does not
    // invalidate them; behind a connection pooler, use session pooling (LISTEN needs it too).
    statement = { text, name: `gh_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` };
    statements.set(strings, statement);
  }
  const result = await getPool().query({ ...statement, values, types: PRISMA_COMPATIBLE_TYPES });
  return result.rows as Row[];
}

/** Each call site's statement (a template literal's strings array is the same object at every call). */
const statements = new WeakMap<TemplateStringsArray, { text: string; name: string }>();

/** OID 1114 is `timestamp without time zone`; pg would parse it in the host's local time zone. */
const TIMESTAMP_OID = 1114;
const PRISMA_COMPATIBLE_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID ? (value: string) => new Date(`${value.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The shared PrismaClient. Only lib/ imports it (docs/STYLE.md §4). */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getClient();
    const value = Reflect.get(client, property, client) as unknown;
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});

export type { Prisma } from "@prisma/client";
