/**
 * `npm test`: unit, integration (real PostgreSQL), hostile (fuzz, isolation, concurrency, faults, two production
 * instances) and e2e (Playwright, real Chromium, against `next start`), then one summary. `npm test -- unit|
 * integration|hostile|e2e` runs one layer. The last line is `N passed, N failed[, N skipped]`.
 *
 * The hostile and e2e layers share one production build (`.next-test`): built here once, from the current sources,
 * before the first of them runs; their global setups then reuse it. `--reuse-build` skips that build when the
 * existing one is current (a missing or stale build is always rebuilt, so no result depends on an earlier run).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { DATA_DIR, ROOT } from "./lib/env-files.ts";
import { buildTestApp, REUSE_TEST_BUILD_VARIABLE, TEST_DIST_DIR, testBuildStaleness } from "./lib/app-server.ts";

interface LayerResult {
  layer: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  crashed: boolean;
}

const RESULTS = path.join(DATA_DIR, "test-results");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

function run(command: string, args: string[]): { status: number; seconds: number } {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: process.env });
  return { status: result.status ?? 1, seconds: (Date.now() - started) / 1000 };
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function vitestLayer(layer: "unit" | "integration" | "hostile"): LayerResult {
  const output = path.join(RESULTS, `${layer}.json`);
  rmSync(output, { force: true });
  const { status, seconds } = run(bin("vitest"), ["run", "--project", layer, "--reporter=default", "--reporter=json", `--outputFile.json=${output}`]);
  const json = readJson(output);
  const n = (key: string) => Number(json?.[key] ?? 0);
  return {
    layer,
    passed: n("numPassedTests"),
    failed: n("numFailedTests") + (json ? 0 : 1),
    skipped: n("numPendingTests") + n("numTodoTests"),
    seconds,
    crashed: !json || (status !== 0 && n("numFailedTests") === 0),
  };
}

function e2eLayer(): LayerResult {
  const output = path.join(RESULTS, "e2e.json");
  rmSync(output, { force: true });
  const { status, seconds } = run(bin("playwright"), ["test"]);
  const stats = readJson(output)?.stats as Record<string, number> | undefined;
  return {
    layer: "e2e",
    passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
    failed: (stats?.unexpected ?? 0) + (stats ? 0 : 1),
    skipped: stats?.skipped ?? 0,
    seconds,
    crashed: !stats || (status !== 0 && (stats.unexpected ?? 0) === 0),
  };
}

const args = process.argv.slice(2);
const reuseBuild = args.includes("--reuse-build");
const requested = args.filter((arg) => arg !== "--reuse-build");
const layers = requested.length > 0 ? requested : ["unit", "integration", "hostile", "e2e"];
const BUILT_LAYERS = ["hostile", "e2e"];
mkdirSync(RESULTS, { recursive: true });
const results: LayerResult[] = [];
let build: { seconds: number; failed: boolean } | undefined;
for (const layer of layers) {
  if (BUILT_LAYERS.includes(layer) && !build) {
    // One production build for the hostile and e2e layers, before the first of them.
    const stale = testBuildStaleness();
    if (reuseBuild && !stale) {
      console.log(`[test] reusing the current production build in ${TEST_DIST_DIR} (--reuse-build)`);
      build = { seconds: 0, failed: false };
    } else {
      const started = Date.now();
      try {
        console.log(`[test] ${reuseBuild ? `${stale}: ` : ""}production build into ${TEST_DIST_DIR} (shared by ${layers.filter((l) => BUILT_LAYERS.includes(l)).join(" and ")})`);
        buildTestApp();
        build = { seconds: (Date.now() - started) / 1000, failed: false };
      } catch (error) {
        console.error(`[test] ${error instanceof Error ? error.message : String(error)}`);
        build = { seconds: (Date.now() - started) / 1000, failed: true };
      }
    }
    if (!build.failed) process.env[REUSE_TEST_BUILD_VARIABLE] = "1";
  }
  if (BUILT_LAYERS.includes(layer) && build?.failed) {
    results.push({ layer, passed: 0, failed: 1, skipped: 0, seconds: 0, crashed: true });
    continue;
  }
  if (layer === "unit" || layer === "integration" || layer === "hostile") results.push(vitestLayer(layer));
  else if (layer === "e2e") results.push(e2eLayer());
  else {
    console.error(`unknown test layer "${layer}" (use unit, integration, hostile or e2e)`);
    process.exit(1);
  }
}

const total = results.reduce((sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
const crashed = results.some((r) => r.crashed);
console.log("\n──────── Gatehouse test summary ────────");
if (build && build.seconds > 0) console.log(`${build.failed ? "FAIL" : "    "} (next build into ${TEST_DIST_DIR}, shared by the layers below: ${build.seconds.toFixed(1)} s)`);
for (const r of results) {
  const verdict = r.failed > 0 || r.crashed ? "FAIL" : "ok  ";
  console.log(`${verdict} ${r.layer.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ${r.seconds.toFixed(1)} s${r.crashed ? (build?.failed && BUILT_LAYERS.includes(r.layer) ? "  (not run: the build failed)" : "  (runner error)") : ""}`);
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed > 0 || crashed ? 1 : 0);
