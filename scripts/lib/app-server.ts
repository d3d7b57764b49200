/**
 * Starts the Next.js app as a child process (dev server or production server) and waits until it answers.
 * Used by the dev launcher, the e2e global setup, the hostile suite and the benchmark.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./env-files.ts";

/**
 * Loaded into every server process with `node --import` (scripts/server-preload.mjs): appends the TCP peer to
 * X-Forwarded-For, so lib/rate-limit/client-ip.ts can trust only the configured proxy hops.
 */
export const SERVER_PRELOAD = path.join(ROOT, "scripts", "server-preload.mjs");

/** NODE_OPTIONS for a server process: the preload, in every Node process Next starts (next dev forks one). */
export function serverNodeOptions(): string {
  return [process.env.NODE_OPTIONS, `--import=${SERVER_PRELOAD}`].filter(Boolean).join(" ");
}

/** The production server's command line after `node`: the TypeScript loader and scripts/serve.ts. */
export const PRODUCTION_SERVER_ARGS = ["--import", "tsx", path.join(ROOT, "scripts", "serve.ts")];

export interface AppServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * @param options.mode     `dev` (next dev) or `start` (the production server, scripts/serve.ts; needs a prior `next build`)
 * @param options.port     TCP port
 * @param options.env      extra environment for the app
 * @param options.distDir  Next's build directory (lets e2e run beside a developer's `npm run dev`)
 * @param options.timeoutMs how long to wait for `/api/health` (ms)
 * @param options.quiet    drop the app's stdout (stderr is always shown)
 * @param options.logFile  append the app's stdout and stderr to this file instead of the terminal (log scans)
 * @throws Error when the app exits or does not answer in time
 */
export async function startAppServer(options: {
  mode: "dev" | "start";
  port: number;
  env: Record<string, string>;
  distDir?: string;
  timeoutMs?: number;
  quiet?: boolean;
  logFile?: string;
  hostname?: string;
}): Promise<AppServer> {
  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  const where = ["--port", String(options.port), "--hostname", options.hostname ?? "localhost"];
  // `next dev` uses webpack: with Turbopack (Next 16.4), after the first source edit every page load bumped the HMR
  // version and the browser reloaded in a loop ("HMR hash mismatch"). Production builds use Turbopack, served by the
  // production server (scripts/serve.ts: the fast lane for machine endpoints, Next for the rest), as `npm start` does.
  const args = options.mode === "dev" ? [nextBin, "dev", "--webpack", ...where] : [...PRODUCTION_SERVER_ARGS, ...where];
  const logFd = options.logFile ? openSync(options.logFile, "a") : undefined;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env, ...(options.distDir ? { NEXT_DIST_DIR: options.distDir } : {}), NEXT_TELEMETRY_DISABLED: "1", NODE_OPTIONS: serverNodeOptions() },
    stdio: logFd === undefined ? ["ignore", options.quiet ? "ignore" : "inherit", "inherit"] : ["ignore", logFd, logFd],
  });
  if (logFd !== undefined) closeSync(logFd); // the child holds its own copy
  const url = `http://localhost:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
      }, 5_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`next ${options.mode} exited before it answered (code ${child.exitCode})`);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(30_000) });
      if (response.ok) return { url, process: child, stop };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`next ${options.mode} did not answer on ${url} within ${options.timeoutMs ?? 120_000} ms`);
}

/**
 * `next build` (production, Turbopack) into `distDir`, Next's own output dropped (errors still shown).
 * @param env extra build-time environment (e.g. `GATEHOUSE_BENCH_BUILD=1`, which next.config.mjs inlines)
 * @returns the build's duration in seconds
 * @throws Error when the build fails
 */
export function buildApp(distDir: string, env: Record<string, string> = {}): number {
  const started = Date.now();
  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  const build = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: ROOT,
    env: { ...process.env, ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (build.status !== 0) throw new Error(`next build failed (exit ${build.status})`);
  return (Date.now() - started) / 1000;
}

/** The one production build the hostile and e2e layers share (`next start`); built once per `npm test`. */
export const TEST_DIST_DIR = ".next-test";

/**
 * Set by `npm test` (scripts/test.ts) for its layers once it has built {@link TEST_DIST_DIR} from the current
 * sources, and by `--reuse-build`: the layers' global setups then reuse the build instead of building again.
 */
export const REUSE_TEST_BUILD_VARIABLE = "GATEHOUSE_REUSE_TEST_BUILD";

/** What a production build depends on (besides node_modules): any of these newer than the build makes it stale. */
const BUILD_INPUTS = ["app", "components", "lib", "middleware.ts", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "prisma/schema.prisma"];

function newestInputMtime(entry: string): number {
  let stats;
  try {
    stats = statSync(entry);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return /\.test\.tsx?$/.test(entry) ? 0 : stats.mtimeMs;
  let newest = stats.mtimeMs; // a deleted file bumps its directory
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestInputMtime(path.join(entry, name)));
  return newest;
}

/** Written into the build directory after a successful test build: when its sources were read (ms since epoch). */
const SOURCES_STAMP = "gatehouse-sources-time";

/**
 * Why the shared test build cannot be reused (undefined when it can): missing, not made by {@link buildTestApp},
 * or older than a source file.
 * @param distDir build directory relative to the repository root
 */
export function testBuildStaleness(distDir: string = TEST_DIST_DIR): string | undefined {
  let built: number;
  try {
    built = Number(readFileSync(path.join(ROOT, distDir, SOURCES_STAMP), "utf8"));
    statSync(path.join(ROOT, distDir, "BUILD_ID"));
  } catch {
    return `no build in ${distDir}`;
  }
  const newest = Math.max(...BUILD_INPUTS.map((input) => newestInputMtime(path.join(ROOT, input))));
  return !(newest < built) ? `sources changed since the build in ${distDir}` : undefined;
}

/**
 * `next build` of the current sources into {@link TEST_DIST_DIR} (never the bench's variant), stamped so
 * {@link testBuildStaleness} can tell whether a later run may reuse it.
 * @returns the build's duration in seconds
 * @throws Error when the build fails
 */
export function buildTestApp(): number {
  const sourcesRead = Date.now();
  rmSync(path.join(ROOT, TEST_DIST_DIR, SOURCES_STAMP), { force: true });
  const seconds = buildApp(TEST_DIST_DIR, { GATEHOUSE_BENCH_BUILD: "" });
  writeFileSync(path.join(ROOT, TEST_DIST_DIR, SOURCES_STAMP), String(sourcesRead));
  return seconds;
}

/**
 * Makes sure {@link TEST_DIST_DIR} holds a production build of the current sources, for a layer's global setup.
 * Builds unless {@link REUSE_TEST_BUILD_VARIABLE}=1 (set by `npm test` after its own build, or `--reuse-build`)
 * AND the build is current; a missing or stale build is always rebuilt, so no test depends on what ran before it.
 * @param label the layer, for the log line
 * @throws Error when the build fails
 */
export function ensureTestBuild(label: string): void {
  const reuse = process.env[REUSE_TEST_BUILD_VARIABLE] === "1";
  const stale = testBuildStaleness();
  if (reuse && !stale) return;
  console.log(`[${label}] ${reuse ? `${stale}: ` : ""}production build in ${buildTestApp().toFixed(1)} s (${TEST_DIST_DIR})`);
}
