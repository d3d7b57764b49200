/**
 * Production instances for the hostile suite: `next start` on the shared test build (`.next-test`, also used by
 * the e2e layer), with a complete
 * production configuration (https AUTH_URL, so cookies are `__Secure-` / `__Host-` prefixed), logs captured to a
 * file so tests can grep them for secrets.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { TEST_DIST_DIR, startAppServer, type AppServer } from "../../../scripts/lib/app-server.ts";
import { DATA_DIR } from "../../../scripts/lib/env-files.ts";
import { findFreePort } from "../../../scripts/lib/postgres.ts";
import { localProductionEnv } from "../../../scripts/lib/production-env.ts";

/** The production build the instances run: the one the hostile and e2e layers share. */
export const HOSTILE_DIST_DIR = TEST_DIST_DIR;

const PRODUCTION_ENV = localProductionEnv("hostile");

/** The public origin every instance claims (AUTH_URL); requests go to http://localhost:<port>. */
export const HOSTILE_APP_URL = PRODUCTION_ENV.AUTH_URL!;

export const HOSTILE_SECRETS = {
  AUTH_SECRET: PRODUCTION_ENV.AUTH_SECRET!,
  PORTAL_SESSION_PASSWORD: PRODUCTION_ENV.PORTAL_SESSION_PASSWORD!,
  /** The master key integration credentials are sealed under (lib/integrations/credentials.ts). */
  INTEGRATION_MASTER_KEYS: PRODUCTION_ENV.INTEGRATION_MASTER_KEYS!,
};

/** Gatehouse's AWS principal on the instances (so AWS integrations can be created; no other provider is configured). */
export const HOSTILE_AWS_PRINCIPAL_ARN = PRODUCTION_ENV.AWS_INTEGRATION_PRINCIPAL_ARN!;

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
      ...PRODUCTION_ENV,
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: "info",
      ...options.env,
    },
  });
  return { ...server, port, logFile };
}
