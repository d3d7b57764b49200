/**
 * Vitest global setup for the hostile suite (`npm run test:hostile`): a fresh migrated database, as for the
 * integration layer, plus the production build the multi-process tests start with `next start`: the one build the
 * hostile and e2e layers share (`.next-test`, scripts/lib/app-server.ts ensureTestBuild). `npm test` builds it once
 * before both layers; a layer run alone builds it unless told `--reuse-build` and the build is current.
 */
import { prepareTestDatabase } from "../../scripts/lib/test-database.ts";
import { ensureTestBuild } from "../../scripts/lib/app-server.ts";

export default async function setup(): Promise<() => Promise<void>> {
  ensureTestBuild("hostile");
  const database = await prepareTestDatabase("hostile");
  process.env.DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_ADMIN_DATABASE_URL = database.urlFor("postgres");
  return () => database.stop();
}
