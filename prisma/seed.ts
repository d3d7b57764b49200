/**
 * The idempotent demo dataset for `npm run dev` (and `npm run db:seed`). Running it twice changes nothing.
 * Later capabilities add their demo rows here; raw demo secrets are returned once for the dev banner and
 * stored only as digests.
 */
import pg from "pg";

export interface SeedResult {
  /** Demo secrets created by this run (empty when everything already existed). */
  secrets: { label: string; value: string }[];
}

/**
 * Seeds demo data.
 * @param databaseUrl a migrated database
 */
export async function seedDemoData(databaseUrl: string): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Identity comes from the local issuer's test users at first sign-in (users are never pre-created: a
    // pre-existing user row would turn the first sign-in into an account-linking decision).
    await client.query("SELECT 1");
    return { secrets: [] };
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set (run `npm run dev`, or set it).");
    process.exit(1);
  }
  const result = await seedDemoData(url);
  console.log(JSON.stringify({ seeded: true, secrets: result.secrets.length }));
}
