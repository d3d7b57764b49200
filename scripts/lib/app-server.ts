/**
 * Starts the Next.js app as a child process (dev server or production server) and waits until it answers.
 * Used by the dev launcher, the e2e global setup, the hostile suite and the benchmark.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
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

export interface AppServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * @param options.mode     `dev` (next dev) or `start` (next start; needs a prior `next build`)
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
  // `next dev` uses webpack: with Turbopack (Next 16.4), after the first source edit every page load bumped the HMR
  // version and the browser reloaded in a loop ("HMR hash mismatch"). Production builds use Turbopack.
  const args = [nextBin, options.mode, ...(options.mode === "dev" ? ["--webpack"] : []), "--port", String(options.port), "--hostname", options.hostname ?? "localhost"];
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
