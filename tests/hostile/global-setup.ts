/**
 * Vitest global setup for the hostile suite (`npm run test:hostile`): a fresh migrated database, as for the
 * integration layer, plus one production build (`next build` into `.next-hostile`) that the multi-process tests
 * start with `next start`. `HOSTILE_REUSE_BUILD=1` skips the build when one exists (local iteration only).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { prepareTestDatabase } from "../../scripts/lib/test-database.ts";
import { ROOT } from "../../scripts/lib/env-files.ts";
import { HOSTILE_DIST_DIR } from "./support/production.ts";

export default async function setup(): Promise<() => Promise<void>> {
  const reuse = process.env.HOSTILE_REUSE_BUILD === "1" && existsSync(path.join(ROOT, HOSTILE_DIST_DIR, "BUILD_ID"));
  if (!reuse) {
    const started = Date.now();
    const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
    const build = spawnSync(process.execPath, [nextBin, "build"], {
      cwd: ROOT,
      env: { ...process.env, NEXT_DIST_DIR: HOSTILE_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (build.status !== 0) throw new Error(`next build failed (exit ${build.status})`);
    console.log(`[hostile] production build in ${((Date.now() - started) / 1000).toFixed(1)} s (${HOSTILE_DIST_DIR})`);
  }
  const database = await prepareTestDatabase("hostile");
  process.env.DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_ADMIN_DATABASE_URL = database.urlFor("postgres");
  return () => database.stop();
}
