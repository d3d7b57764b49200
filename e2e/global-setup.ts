/**
 * Starts what the e2e specs run against: a fresh migrated database, the local OpenID Connect issuer, an SMTP sink,
 * and the app as production runs it: `next start` on the production build the hostile layer shares (`.next-test`;
 * built here unless `npm test` already built the current sources). A production build refuses the local issuer
 * unless GATEHOUSE_TEST_LOCAL_IDP=1 with loopback AUTH_URL and LOCAL_IDP_URL (lib/auth/test-local-idp.ts), which is
 * exactly this setup. Ports are picked free and passed to the specs through the environment (Playwright's workers
 * inherit it).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import type { FullConfig } from "@playwright/test";
import { ROOT } from "../scripts/lib/env-files.ts";
import { prepareTestDatabase } from "../scripts/lib/test-database.ts";
import { startLocalIdp } from "../scripts/lib/local-idp.ts";
import { startLocalGitHub } from "../scripts/lib/local-github.ts";
import { ensureTestBuild, startAppServer, TEST_DIST_DIR } from "../scripts/lib/app-server.ts";
import { localProductionEnv } from "../scripts/lib/production-env.ts";
import { findFreePort } from "../scripts/lib/postgres.ts";
import { startSmtpSink } from "../scripts/lib/smtp-sink.ts";
import { startLocalDirectories } from "../scripts/lib/local-directories/index.ts";
import { demoDirectory } from "../scripts/lib/local-directories/store.ts";

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  ensureTestBuild("e2e");
  const database = await prepareTestDatabase("e2e");
  const appPort = Number(process.env.E2E_PORT ?? (await findFreePort()));
  const appUrl = `http://localhost:${appPort}`;
  const mailFile = path.join(ROOT, ".data", "test-results", "e2e-mail.jsonl");
  rmSync(mailFile, { force: true });
  const smtp = await startSmtpSink({ file: mailFile });
  const idp = await startLocalIdp({ port: await findFreePort(), redirectOrigins: [appUrl] });
  const github = await startLocalGitHub({ redirectOrigins: [appUrl] });
  // The local Okta the integrations spec connects; each API answer takes a moment, so the sync banner is seen working.
  const directories = await startLocalDirectories({ redirectOrigins: [appUrl] });
  directories.store.put("okta", "acme-e2e", demoDirectory("okta"));
  directories.faults.delayMs = 150;
  const app = await startAppServer({
    mode: "start",
    port: appPort,
    distDir: TEST_DIST_DIR,
    quiet: true,
    timeoutMs: 60_000,
    env: {
      // Production secrets and NODE_ENV; the local issuer replaces the (fake) Google client.
      ...localProductionEnv("e2e"),
      ...directories.env,
      AUTH_GOOGLE_ID: "",
      AUTH_GOOGLE_SECRET: "",
      GATEHOUSE_TEST_LOCAL_IDP: "1",
      DATABASE_URL: database.url,
      AUTH_URL: appUrl,
      LOCAL_IDP_URL: idp.url,
      LOCAL_GITHUB_URL: github.url,
      SMTP_URL: smtp.url,
      ADMIN_EMAILS: "admin@fabrikam.test",
      LOG_LEVEL: "warn",
      // Every test signs in from 127.0.0.1; the limit itself is proven by the hostile suite.
      RATE_LIMIT_SIGN_IN_PER_MINUTE: "10000",
      // The MCP OAuth spec serves a Client ID Metadata Document over https from 127.0.0.1 with this test-only
      // certificate (tests/fixtures/tls); the test switch lets a loopback document through, the certificate must verify.
      NODE_EXTRA_CA_CERTS: path.join(ROOT, "tests", "fixtures", "tls", "localhost.crt"),
    },
  });
  process.env.E2E_BASE_URL = app.url;
  process.env.E2E_DATABASE_URL = database.url;
  process.env.E2E_IDP_URL = idp.url;
  process.env.E2E_MAIL_FILE = mailFile;
  process.env.E2E_DIRECTORIES_URL = directories.url;
  return async () => {
    await app.stop();
    await idp.stop();
    await github.stop();
    await directories.stop();
    await smtp.stop();
    await database.stop();
  };
}
