/**
 * Production instances for the hostile suite: `next start` on the `.next-hostile` build, with a complete
 * production configuration (https AUTH_URL, so cookies are `__Secure-` / `__Host-` prefixed), logs captured to a
 * file so tests can grep them for secrets.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startAppServer, type AppServer } from "../../../scripts/lib/app-server.ts";
import { DATA_DIR } from "../../../scripts/lib/env-files.ts";
import { findFreePort } from "../../../scripts/lib/postgres.ts";

export const HOSTILE_DIST_DIR = ".next-hostile";

/** The public origin every instance claims (AUTH_URL); requests go to http://localhost:<port>. */
export const HOSTILE_APP_URL = "https://gatehouse.hostile.test";

export const HOSTILE_SECRETS = {
  AUTH_SECRET: "hostile-suite-auth-secret-0123456789abcdef0123456789",
  PORTAL_SESSION_PASSWORD: "hostile-suite-portal-password-0123456789abcdef012345",
};

export interface ProductionInstance extends AppServer {
  port: number;
  /** Where the instance's stdout and stderr go. */
  logFile: string;
}

/**
 * Starts `next start` (NODE_ENV=production) on a free port against `databaseUrl`.
 * @param options.env overrides (e.g. lower rate limits); LOG_LEVEL defaults to `info`
 * @throws Error when the instance exits or does not answer within 60 s
 */
export async function startProductionInstance(options: { databaseUrl: string; name: string; env?: Record<string, string> }): Promise<ProductionInstance> {
  const port = await findFreePort();
  const logDir = path.join(DATA_DIR, "test-results", "hostile-logs");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${options.name}-${port}.log`);
  const server = await startAppServer({
    mode: "start",
    port,
    distDir: HOSTILE_DIST_DIR,
    logFile,
    timeoutMs: 60_000,
    env: {
      NODE_ENV: "production",
      DATABASE_URL: options.databaseUrl,
      AUTH_URL: HOSTILE_APP_URL,
      ...HOSTILE_SECRETS,
      AUTH_GOOGLE_ID: "hostile-google-client",
      AUTH_GOOGLE_SECRET: "hostile-google-secret",
      // Nothing listens here: outgoing mail stays in the outbox and its retries are logged, never sent.
      SMTP_URL: "smtp://127.0.0.1:9",
      LOG_LEVEL: "info",
      ...options.env,
    },
  });
  return { ...server, port, logFile };
}
