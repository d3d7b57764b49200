/**
 * Vitest global setup for the hostile suite (`npm run test:hostile`): a fresh migrated database, as for the
 * integration layer, plus one production build (`next build` into `.next-hostile`) that the multi-process tests
 * start with `next start`. `HOSTILE_REUSE_BUILD=1` skips the build when one exists (local iteration only).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { prepareTestDatabase } from "../../scripts/lib/test-database.ts";
import { ROOT } from "../../scripts/lib/env-files.ts";
import { buildApp } from "../../scripts/lib/app-server.ts";
import { HOSTILE_DIST_DIR } from "./support/production.ts";

export default async function setup(): Promise<() => Promise<void>> {
  const reuse = process.env.HOSTILE_REUSE_BUILD === "1" && existsSync(path.join(ROOT, HOSTILE_DIST_DIR, "BUILD_ID"));
  if (!reuse) {
    console.log(`[hostile] production build in ${buildApp(HOSTILE_DIST_DIR).toFixed(1)} s (${HOSTILE_DIST_DIR})`);
  }
  const database = await prepareTestDatabase("hostile");
  process.env.DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_ADMIN_DATABASE_URL = database.urlFor("postgres");
  return () => database.stop();
}
