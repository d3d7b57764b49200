/**
 * A fresh, migrated database for one test layer.
 *
 * With `DATABASE_URL` set, a sibling database `<name>_<suffix>` is created on that server (the developer's own
 * database is never touched); otherwise a throw-away embedded PostgreSQL is started under `.data/`.
 */
import path from "node:path";
import { rmSync } from "node:fs";
import pg from "pg";
import { startEmbeddedPostgres } from "./postgres.ts";
import { applyMigrations } from "./migrations.ts";
import { DATA_DIR } from "./env-files.ts";

export interface TestDatabase {
  url: string;
  /** Builds the URL of another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function recreate(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const quoted = `"${database.replaceAll('"', '""')}"`;
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await client.end();
  }
}

/**
 * @param suffix names the layer (`test`, `e2e`, `bench`)
 * @returns the migrated database's URL and a stop function
 */
export async function prepareTestDatabase(suffix: string): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `${decodeURIComponent(new URL(base).pathname.slice(1)) || "gatehouse"}_${suffix}`;
    await recreate(base, name);
    const url = withDatabase(base, name);
    await applyMigrations(url);
    return { url, urlFor: (database) => withDatabase(base, database), stop: async () => {} };
  }
  const dataDir = path.join(DATA_DIR, `${suffix}-postgres-${process.pid}`);
  const server = await startEmbeddedPostgres({ dataDir, database: `gatehouse_${suffix}`, persistent: false });
  await applyMigrations(server.url);
  return {
    url: server.url,
    urlFor: server.urlFor,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
