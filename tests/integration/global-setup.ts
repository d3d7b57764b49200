/**
 * Vitest global setup for integration tests: one fresh, migrated PostgreSQL database for the whole run
 * (scripts/lib/test-database.ts). Test files run one at a time and clean up the rows they create.
 */
import { prepareTestDatabase } from "../../scripts/lib/test-database.ts";

export default async function setup(): Promise<() => Promise<void>> {
  const database = await prepareTestDatabase("test");
  process.env.DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_ADMIN_DATABASE_URL = database.urlFor("postgres");
  return () => database.stop();
}
