/**
 * `npm run db:migrate`: applies pending migrations in prisma/migrations to DATABASE_URL, recording them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (see scripts/lib/migrations.ts).
 *
 * Exit codes: 0 up to date; 1 DATABASE_URL unset or migration error (message only, no stack).
 */
import { applyMigrations } from "./lib/migrations.ts";

async function main(): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error(
      "DATABASE_URL is not set. Run `npm run dev` (it starts the embedded PostgreSQL), " +
        "or set DATABASE_URL to a PostgreSQL 14+ database and run `npm run db:migrate` again.",
    );
    return 1;
  }
  const { applied, alreadyApplied } = await applyMigrations(databaseUrl, { log: (line) => console.log(line) });
  if (applied.length === 0) {
    console.log(`No pending migrations to apply (${alreadyApplied} already applied).`);
  } else {
    console.log(
      `Applied ${applied.length} migration${applied.length === 1 ? "" : "s"} (${alreadyApplied} already applied).`,
    );
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
