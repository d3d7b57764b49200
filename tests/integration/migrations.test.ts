/**
 * The migration runner (scripts/lib/migrations.ts) against real PostgreSQL.
 *
 * Every test works in its own scratch database, created with CREATE DATABASE on the server of DATABASE_URL
 * (set by the integration global setup) and dropped afterwards; the shared test database is only used to
 * issue CREATE/DROP DATABASE.
 */
import { createHash, randomBytes } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import {
  applyMigrations,
  DEFAULT_MIGRATIONS_DIR,
  prismaMigrateDiff,
  readMigrationFolders,
  REPO_ROOT,
} from "../../scripts/lib/migrations.ts";

const SCHEMA_PATH = path.join(REPO_ROOT, "prisma", "schema.prisma");

const scratchDatabases: string[] = [];
const tempDirs: string[] = [];

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run through the integration project (global setup).");
  return url;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the test server and returns its URL; dropped in afterAll. */
async function createScratchDatabase(label: string): Promise<string> {
  const name = `gatehouse_scratch_${label}_${randomBytes(4).toString("hex")}`;
  await withClient(serverUrl(), (client) => client.query(`CREATE DATABASE "${name}"`));
  scratchDatabases.push(name);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A private copy of prisma/migrations that a test may edit. */
async function copyMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gatehouse-migrations-"));
  tempDirs.push(dir);
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

afterAll(async () => {
  await withClient(serverUrl(), async (client) => {
    for (const name of scratchDatabases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

type CatalogDump = Record<string, Record<string, string | string[]>>;

/**
 * The public schema's shape from the catalogs, keyed by name so that order of creation does not matter
 * (columns appended by ALTER TABLE are compared by name, not position). Leaves out `_prisma_migrations`,
 * triggers and functions (the audit log's append-only trigger is hand-written SQL, not in schema.prisma),
 * and PostgreSQL 18's NOT NULL constraints (nullability is compared per column).
 */
async function dumpSchema(url: string): Promise<CatalogDump> {
  return withClient(url, async (client) => {
    const rows = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
    const dump: CatalogDump = { relations: {}, columns: {}, enums: {}, sequences: {}, indexes: {}, constraints: {}, foreignKeys: {} };

    for (const r of await rows<{ name: string; kind: string }>(`
      SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> '_prisma_migrations'`)) {
      dump.relations![r.name] = r.kind;
    }
    for (const r of await rows<{ tbl: string; col: string; type: string; not_null: boolean; def: string | null; identity: string; generated: string }>(`
      SELECT c.relname AS tbl, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
             pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS identity, a.attgenerated AS generated
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
         AND c.relname <> '_prisma_migrations'`)) {
      const parts = [r.type, r.not_null ? "NOT NULL" : "NULL"];
      if (r.def !== null) parts.push(`DEFAULT ${r.def}`);
      if (r.identity) parts.push(`IDENTITY ${r.identity}`);
      if (r.generated) parts.push(`GENERATED ${r.generated}`);
      dump.columns![`${r.tbl}.${r.col}`] = parts.join(" ");
    }
    for (const r of await rows<{ name: string; labels: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' GROUP BY t.typname`)) {
      dump.enums![r.name] = r.labels;
    }
    for (const r of await rows<{ name: string; def: string }>(`
      SELECT sequencename AS name, concat_ws(' ', data_type, start_value, increment_by, min_value, max_value, cycle) AS def
        FROM pg_sequences WHERE schemaname = 'public'`)) {
      dump.sequences![r.name] = r.def;
    }
    for (const r of await rows<{ name: string; def: string }>(`
      SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`)) {
      dump.indexes![r.name] = r.def.replace(/\bpublic\./g, "");
    }
    for (const r of await rows<{ tbl: string; name: string; type: string; def: string }>(`
      SELECT c.relname AS tbl, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS def
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relname <> '_prisma_migrations' AND con.contype IN ('p', 'u', 'c', 'x', 'f')`)) {
      const bucket = r.type === "f" ? dump.foreignKeys! : dump.constraints!;
      bucket[`${r.tbl}.${r.name}`] = r.def.replace(/\bpublic\./g, "");
    }
    return dump;
  });
}

/** One line per difference, e.g. `~ columns users.email: migrations "text NULL" ≠ schema.prisma "text NOT NULL"`. */
function describeDifferences(fromMigrations: CatalogDump, fromSchema: CatalogDump): string[] {
  const lines: string[] = [];
  for (const section of new Set([...Object.keys(fromMigrations), ...Object.keys(fromSchema)])) {
    const a = fromMigrations[section] ?? {};
    const b = fromSchema[section] ?? {};
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const left = a[key] === undefined ? undefined : JSON.stringify(a[key]);
      const right = b[key] === undefined ? undefined : JSON.stringify(b[key]);
      if (left === right) continue;
      if (right === undefined) lines.push(`- ${section} ${key}: only from migrations: ${left}`);
      else if (left === undefined) lines.push(`+ ${section} ${key}: only from schema.prisma: ${right}`);
      else lines.push(`~ ${section} ${key}: migrations ${left} ≠ schema.prisma ${right}`);
    }
  }
  return lines;
}

describe("migrations", () => {
  test("migrations produce the same database as schema.prisma (no drift)", async () => {
    const [migratedUrl, pushedUrl, diff] = await Promise.all([
      createScratchDatabase("drift_a"),
      createScratchDatabase("drift_b"),
      prismaMigrateDiff(null, SCHEMA_PATH),
    ]);
    await applyMigrations(migratedUrl);
    await withClient(pushedUrl, (client) => client.query(diff.script));

    const [fromMigrations, fromSchema] = await Promise.all([dumpSchema(migratedUrl), dumpSchema(pushedUrl)]);
    expect(Object.keys(fromSchema.relations!).length).toBeGreaterThan(0);
    const differences = describeDifferences(fromMigrations, fromSchema);
    expect(
      differences,
      `the migrations do not produce prisma/schema.prisma; create a migration with npm run db:diff -- <name>:\n${differences.join("\n")}`,
    ).toEqual([]);
    expect(fromMigrations).toEqual(fromSchema);
  });

  test("the db:diff snapshot matches schema.prisma, so the next migration holds only new changes", async () => {
    const { isEmpty, script } = await prismaMigrateDiff(
      path.join(DEFAULT_MIGRATIONS_DIR, "schema.snapshot.prisma"),
      SCHEMA_PATH,
    );
    expect(isEmpty, `run npm run db:diff -- <name>; pending changes:\n${script}`).toBe(true);
  });

  test("records _prisma_migrations the way Prisma does", async () => {
    const url = await createScratchDatabase("history");
    const folders = await readMigrationFolders();
    expect(folders.length).toBeGreaterThan(0);

    const first = await applyMigrations(url);
    expect(first).toEqual({ applied: folders.map((f) => f.name), alreadyApplied: 0 });

    await withClient(url, async (client) => {
      // Prisma's DDL (sql-schema-connector flavour/postgres.rs create_migrations_table).
      const columns = await client.query(`
        SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS def
          FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = 'public._prisma_migrations'::regclass AND a.attnum > 0 ORDER BY a.attnum`);
      expect(columns.rows).toEqual([
        { name: "id", type: "character varying(36)", not_null: true, def: null },
        { name: "checksum", type: "character varying(64)", not_null: true, def: null },
        { name: "finished_at", type: "timestamp with time zone", not_null: false, def: null },
        { name: "migration_name", type: "character varying(255)", not_null: true, def: null },
        { name: "logs", type: "text", not_null: false, def: null },
        { name: "rolled_back_at", type: "timestamp with time zone", not_null: false, def: null },
        { name: "started_at", type: "timestamp with time zone", not_null: true, def: "now()" },
        { name: "applied_steps_count", type: "integer", not_null: true, def: "0" },
      ]);
      const primaryKey = await client.query(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'public._prisma_migrations'::regclass AND contype = 'p'`,
      );
      expect(primaryKey.rows).toEqual([{ def: "PRIMARY KEY (id)" }]);

      const { rows } = await client.query(`SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name`);
      expect(rows).toHaveLength(folders.length);
      for (const [index, folder] of folders.entries()) {
        const row = rows[index];
        const bytes = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, folder.name, "migration.sql"));
        expect(row.migration_name).toBe(folder.name);
        expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(row.applied_steps_count).toBe(1);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
      }
    });

    const second = await applyMigrations(url);
    expect(second).toEqual({ applied: [], alreadyApplied: folders.length });
    const count = await withClient(url, (client) => client.query(`SELECT count(*)::int AS n FROM _prisma_migrations`));
    expect(count.rows[0].n).toBe(folders.length);
  });

  test("refuses a migration edited after it was applied", async () => {
    const [url, dir] = await Promise.all([createScratchDatabase("edited"), copyMigrations()]);
    await applyMigrations(url, { migrationsDir: dir });
    const [first] = await readMigrationFolders(dir);
    await appendFile(path.join(dir, first!.name, "migration.sql"), "\n-- an edit after the fact\n");

    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(
      `The migration \`${first!.name}\` was modified after it was applied`,
    );
  });

  test("accepts an applied migration whose line endings changed, like Prisma", async () => {
    const [url, dir] = await Promise.all([createScratchDatabase("crlf"), copyMigrations()]);
    await applyMigrations(url, { migrationsDir: dir });
    const [first] = await readMigrationFolders(dir);
    const file = path.join(dir, first!.name, "migration.sql");
    await writeFile(file, (await readFile(file, "utf8")).replaceAll("\n", "\r\n"));

    await expect(applyMigrations(url, { migrationsDir: dir })).resolves.toMatchObject({ applied: [] });
  });

  test("two concurrent runners apply each migration once", async () => {
    const url = await createScratchDatabase("concurrent");
    const folders = await readMigrationFolders();
    const [a, b] = await Promise.all([applyMigrations(url), applyMigrations(url)]);

    expect([...a.applied, ...b.applied].sort()).toEqual(folders.map((f) => f.name).sort());
    expect(a.applied.length === 0 || b.applied.length === 0).toBe(true);
    const { rows } = await withClient(url, (client) =>
      client.query(`SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY migration_name`),
    );
    expect(rows).toHaveLength(folders.length);
    expect(rows.every((row) => row.n === 1)).toBe(true);
  });

  test("rolls back a failing migration and refuses to continue until it is marked rolled back", async () => {
    const [url, dir] = await Promise.all([createScratchDatabase("failed"), copyMigrations()]);
    await applyMigrations(url, { migrationsDir: dir });
    const broken = "99990101000000_broken";
    await mkdir(path.join(dir, broken));
    const script = path.join(dir, broken, "migration.sql");
    await writeFile(script, "CREATE TABLE half_done (id integer);\nSELECT * FROM no_such_table;\n");

    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/Migration name: 99990101000000_broken/);
    await withClient(url, async (client) => {
      expect((await client.query(`SELECT to_regclass('public.half_done') AS t`)).rows[0].t).toBeNull();
      const { rows } = await client.query(`SELECT * FROM _prisma_migrations WHERE migration_name = $1`, [broken]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
      expect(rows[0].logs).toContain("no_such_table");
    });
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/failed migrations.*P3009/);

    await writeFile(script, "CREATE TABLE half_done (id integer);\n");
    await withClient(url, (client) =>
      client.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1`, [broken]),
    );
    await expect(applyMigrations(url, { migrationsDir: dir })).resolves.toMatchObject({ applied: [broken] });
  });

  test("refuses a non-empty database that has no migration history", async () => {
    const url = await createScratchDatabase("nonempty");
    await withClient(url, (client) => client.query(`CREATE TABLE something_else (id integer)`));
    await expect(applyMigrations(url)).rejects.toThrow(/not empty.*P3005/);
  });

  test("the audit log refuses UPDATE and DELETE", async () => {
    const url = await createScratchDatabase("audit");
    await applyMigrations(url);
    await withClient(url, async (client) => {
      const inserted = await client.query(
        `INSERT INTO audit_events (id, action, actor_type) VALUES (gen_random_uuid(), 'test.recorded', 'system') RETURNING id`,
      );
      const id = inserted.rows[0].id;

      await expect(client.query(`UPDATE audit_events SET action = 'test.rewritten' WHERE id = $1`, [id])).rejects.toThrow(
        "audit_events is append-only: UPDATE is not allowed",
      );
      await expect(client.query(`DELETE FROM audit_events WHERE id = $1`, [id])).rejects.toThrow(
        "audit_events is append-only: DELETE is not allowed",
      );
      await expect(client.query(`TRUNCATE audit_events`)).rejects.toThrow(
        "audit_events is append-only: TRUNCATE is not allowed",
      );
      const { rows } = await client.query(`SELECT action FROM audit_events WHERE id = $1`, [id]);
      expect(rows).toEqual([{ action: "test.recorded" }]);
    });
  });
});
