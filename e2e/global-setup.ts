/**
 * Starts what the e2e specs run against: a fresh migrated database, the local OpenID Connect issuer, and the app
 * (`next dev`, because the local issuer is refused in production builds by design). Ports are picked free and
 * passed to the specs through the environment (Playwright's workers inherit it).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import type { FullConfig } from "@playwright/test";
import { ROOT } from "../scripts/lib/env-files.ts";
import { prepareTestDatabase } from "../scripts/lib/test-database.ts";
import { startLocalIdp } from "../scripts/lib/local-idp.ts";
import { startAppServer } from "../scripts/lib/app-server.ts";
import { findFreePort } from "../scripts/lib/postgres.ts";
import { startSmtpSink } from "../scripts/lib/smtp-sink.ts";

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  // A fresh build directory: a stale Turbopack cache from an earlier run made `next dev` send endless
  // "restart" HMR messages (page reloads mid-test).
  rmSync(path.join(ROOT, ".next-e2e"), { recursive: true, force: true });
  const database = await prepareTestDatabase("e2e");
  const appPort = Number(process.env.E2E_PORT ?? (await findFreePort()));
  const appUrl = `http://localhost:${appPort}`;
  const mailFile = path.join(ROOT, ".data", "test-results", "e2e-mail.jsonl");
  rmSync(mailFile, { force: true });
  const smtp = await startSmtpSink({ file: mailFile });
  const idp = await startLocalIdp({ port: await findFreePort(), redirectOrigins: [appUrl] });
  const app = await startAppServer({
    mode: "dev",
    port: appPort,
    distDir: ".next-e2e",
    quiet: true,
    timeoutMs: 180_000,
    env: {
      DATABASE_URL: database.url,
      AUTH_URL: appUrl,
      LOCAL_IDP_URL: idp.url,
      SMTP_URL: smtp.url,
      ADMIN_EMAILS: "admin@fabrikam.test",
      LOG_LEVEL: "warn",
      // Every test signs in from 127.0.0.1; the limit itself is proven by the hostile suite.
      RATE_LIMIT_SIGN_IN_PER_MINUTE: "10000",
    },
  });
  process.env.E2E_BASE_URL = app.url;
  process.env.E2E_DATABASE_URL = database.url;
  process.env.E2E_IDP_URL = idp.url;
  process.env.E2E_MAIL_FILE = mailFile;
  return async () => {
    await app.stop();
    await idp.stop();
    await smtp.stop();
    await database.stop();
  };
}
