/**
 * `npm test`: unit, integration (real PostgreSQL), hostile (fuzz, isolation, concurrency, faults, two production
 * instances) and e2e (Playwright, real Chromium), then one summary. `npm test -- unit|integration|hostile|e2e`
 * runs one layer. The last line is `N passed, N failed[, N skipped]`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { DATA_DIR, ROOT } from "./lib/env-files.ts";

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

const requested = process.argv[2];
const layers = requested ? [requested] : ["unit", "integration", "hostile", "e2e"];
mkdirSync(RESULTS, { recursive: true });
const results: LayerResult[] = [];
for (const layer of layers) {
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
for (const r of results) {
  const verdict = r.failed > 0 || r.crashed ? "FAIL" : "ok  ";
  console.log(`${verdict} ${r.layer.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ${r.seconds.toFixed(1)} s${r.crashed ? "  (runner error)" : ""}`);
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed > 0 || crashed ? 1 : 0);
