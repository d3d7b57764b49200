/**
 * `npm start`: production. Validates the configuration first (a missing or weak secret stops the start with the
 * variable's name) and refuses any NODE_ENV but `production` (or unset), applies pending migrations, then runs the
 * production server (scripts/serve.ts: machine endpoints on a plain node:http router, everything else through Next)
 * in the foreground. Arguments pass through (`npm start -- --port 8080 --hostname 127.0.0.1`).
 */
import { spawn } from "node:child_process";
import { ConfigError, loadConfig } from "../lib/config.ts";
import { applyMigrations } from "./lib/migrations.ts";
import { ROOT } from "./lib/env-files.ts";
import { PRODUCTION_SERVER_ARGS, serverNodeOptions } from "./lib/app-server.ts";

// `npm start` is production only: any other NODE_ENV would let loadConfig fill in the development defaults (weak
// secrets, the local identity provider). Unset means production; anything else is refused before anything runs.
const nodeEnv = process.env.NODE_ENV as string | undefined;
if (nodeEnv !== undefined && nodeEnv !== "" && nodeEnv !== "production") {
  console.error(`[gatehouse] refusing to start. NODE_ENV is "${nodeEnv}"; \`npm start\` runs production only (unset NODE_ENV or set it to production; use \`npm run dev\` for development).`);
  process.exit(1);
}
(process.env as Record<string, string | undefined>).NODE_ENV = "production";
try {
  const config = loadConfig();
  if (process.env.MIGRATE_ON_START !== "false") await applyMigrations(config.databaseUrl, { log: (line) => console.log(`[migrate] ${line}`) });
} catch (error) {
  console.error(error instanceof ConfigError ? `[gatehouse] refusing to start. ${error.message}` : `[gatehouse] start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const child = spawn(process.execPath, [...PRODUCTION_SERVER_ARGS, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, NODE_OPTIONS: serverNodeOptions() },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
