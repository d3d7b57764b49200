/**
 * `npm run db:diff -- <name>`: creates the next migration, `prisma/migrations/<YYYYMMDDHHMMSS>_<name>/migration.sql`,
 * from the changes made to `prisma/schema.prisma`, without any database. It stands in for
 * `prisma migrate dev --create-only`, which needs a database (and the native engine) to replay the migrations.
 *
 * How the "before" side is known: `prisma/migrations/schema.snapshot.prisma` is a copy of `schema.prisma` as
 * of the latest generated migration, refreshed by this script each time it writes one. The new migration is
 * `prisma migrate diff --from-schema-datamodel <snapshot> --to-schema-datamodel prisma/schema.prisma --script`
 * (`--from-empty` for the very first migration). Replaying the migrations instead (`--from-migrations`) would
 * need a shadow database. The snapshot and the migrations are kept honest by the integration test
 * "migrations produce the same database as schema.prisma (no drift)", which applies the migrations and
 * compares the result with a database created straight from schema.prisma.
 *
 * Hand-written SQL (triggers, data fixes) goes into a migration.sql by hand; it is not part of the datamodel,
 * so the snapshot does not change for it. Never edit a migration that has been applied anywhere.
 * Two branches that both add a migration conflict on the snapshot file in git, which is the moment to
 * regenerate one of the two migrations.
 *
 * Exit codes: 0 migration created or no changes; 1 usage or Prisma error.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  createMigrationFolderName,
  DEFAULT_MIGRATIONS_DIR,
  MIGRATION_LOCK_TOML,
  prismaMigrateDiff,
  readMigrationFolders,
  REPO_ROOT,
} from "./lib/migrations.ts";

const SCHEMA_PATH = path.join(REPO_ROOT, "prisma", "schema.prisma");
const MIGRATIONS_DIR = DEFAULT_MIGRATIONS_DIR;
const SNAPSHOT_PATH = path.join(MIGRATIONS_DIR, "schema.snapshot.prisma");
const SNAPSHOT_MARKER = "// db:diff snapshot as of migration ";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("-h") || args.includes("--help")) {
    console.log(usage());
    return 0;
  }
  const name = args[0];
  if (!name || args.length > 1) {
    console.error(usage());
    return 1;
  }
  const folderName = createMigrationFolderName(name);
  const relative = (p: string) => path.relative(process.cwd(), p) || ".";

  const existing = await readMigrationFolders(MIGRATIONS_DIR);
  const latest = existing.at(-1)?.name;
  let from: string | null = null;
  if (existsSync(SNAPSHOT_PATH)) {
    from = SNAPSHOT_PATH;
    const recorded = snapshotMigration(await readFile(SNAPSHOT_PATH, "utf8"));
    if (recorded && latest && recorded !== latest) {
      console.warn(
        `warning: the snapshot is from ${recorded} but the latest migration is ${latest}; ` +
          `fine if ${latest} is hand-written SQL, otherwise check the new migration carefully.`,
      );
    }
  } else if (existing.length > 0) {
    throw new Error(
      `${relative(SNAPSHOT_PATH)} is missing but ${existing.length} migration(s) exist, so the schema they produce ` +
        `is unknown. Restore the snapshot from git (it must equal schema.prisma as of ${latest}).`,
    );
  }

  const { script, isEmpty } = await prismaMigrateDiff(from, SCHEMA_PATH);
  if (isEmpty) {
    console.log("No schema changes: prisma/schema.prisma matches the latest migration. Nothing created.");
    return 0;
  }

  if (latest && folderName.localeCompare(latest) <= 0) {
    throw new Error(`${folderName} would not sort after the latest migration ${latest}; check the system clock.`);
  }
  const folder = path.join(MIGRATIONS_DIR, folderName);
  if (existsSync(folder)) throw new Error(`The migration directory already exists at ${relative(folder)}`);

  const schema = await readFile(SCHEMA_PATH, "utf8");
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "migration.sql"), script);
  await writeFile(path.join(MIGRATIONS_DIR, "migration_lock.toml"), MIGRATION_LOCK_TOML);
  await writeFile(SNAPSHOT_PATH, snapshotHeader(folderName) + schema);

  const steps = script.match(/^-- [A-Z]\w+$/gm) ?? [];
  console.log(`Created ${relative(path.join(folder, "migration.sql"))} (${steps.length} steps).`);
  if (/^\/\*\s*\n\s*Warnings:/m.test(script)) {
    console.log("Prisma flagged possible data loss: read the Warnings comment at the top of the file.");
  }
  console.log(`Updated ${relative(SNAPSHOT_PATH)}. Review the SQL, then run npm run db:migrate.`);
  return 0;
}

function snapshotHeader(folderName: string): string {
  return (
    `${SNAPSHOT_MARKER}${folderName}\n` +
    "// Written by `npm run db:diff` (scripts/db-diff.ts), which diffs prisma/schema.prisma against this file\n" +
    "// to create the next migration. Do not edit by hand.\n\n"
  );
}

function snapshotMigration(snapshot: string): string | undefined {
  const line = snapshot.split("\n", 1)[0] ?? "";
  return line.startsWith(SNAPSHOT_MARKER) ? line.slice(SNAPSHOT_MARKER.length).trim() : undefined;
}

function usage(): string {
  return [
    "Usage: npm run db:diff -- <name>",
    "",
    "Creates prisma/migrations/<timestamp>_<name>/migration.sql from the changes in prisma/schema.prisma",
    "since the last migration (no database needed). <name>: letters, digits, _ or -, e.g. add_api_keys.",
  ].join("\n");
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`db:diff failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
