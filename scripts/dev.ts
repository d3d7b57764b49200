/**
 * `npm run dev`: everything a new developer needs, from one command.
 *
 * 1. PostgreSQL: `DATABASE_URL` when set, else an embedded server under `.data/postgres`.
 * 2. Migrations (scripts/lib/migrations.ts) and the idempotent demo seed (prisma/seed.ts).
 * 3. A local OpenID Connect issuer playing Google Workspace and Microsoft Entra ID test tenants.
 * 4. `next dev`, then one banner with the URL, the demo accounts and any demo secrets.
 */
import path from "node:path";
import { startEmbeddedPostgres, findFreePort, type RunningPostgres } from "./lib/postgres.ts";
import { applyMigrations } from "./lib/migrations.ts";
import { startLocalIdp, LOCAL_IDP_USERS } from "./lib/local-idp.ts";
import { startLocalGitHub, LOCAL_GITHUB_USERS } from "./lib/local-github.ts";
import { startAppServer } from "./lib/app-server.ts";
import { DATA_DIR } from "./lib/env-files.ts";
import { startSmtpSink } from "./lib/smtp-sink.ts";
import { seedDemoData } from "../prisma/seed.ts";
import { demoAccountFixture, startLocalAws } from "./lib/local-aws.ts";
import { startLocalAwsConsole } from "./lib/local-aws-console.ts";
import { startLocalDirectories } from "./lib/local-directories/index.ts";
import { demoDirectory } from "./lib/local-directories/store.ts";
import { LOCAL_IDP_TENANTS } from "./lib/local-idp.ts";

/** The local AWS account a newcomer connects (its roles are made on the local AWS console page). */
const DEMO_AWS_ACCOUNT = "123456789012";

const started = Date.now();
const port = Number(process.env.PORT ?? 3000);
const appUrl = process.env.AUTH_URL ?? `http://localhost:${port}`;
const cleanups: (() => Promise<void>)[] = [];

async function shutdown(code: number): Promise<never> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  let databaseUrl = process.env.DATABASE_URL;
  let embedded: RunningPostgres | undefined;
  if (!databaseUrl) {
    const dbPort = Number(process.env.DEV_DB_PORT ?? 54329);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, "postgres"), port: dbPort, database: "gatehouse" });
    cleanups.push(() => embedded!.stop());
    databaseUrl = embedded.url;
  }
  const migrations = await applyMigrations(databaseUrl, { log: (line) => console.log(`[migrate] ${line}`) });
  const seeded = await seedDemoData(databaseUrl, appUrl);

  // Without SMTP_URL, a local SMTP sink receives the mail and prints one line per message (also on /admin/outbox).
  const externalSmtp = Boolean(process.env.SMTP_URL);
  let smtpUrl = process.env.SMTP_URL;
  if (!smtpUrl) {
    const sink = await startSmtpSink({ onMessage: (m) => console.log(`[mail] to ${m.to.join(", ")}: ${m.subject}`) });
    cleanups.push(() => sink.stop());
    smtpUrl = sink.url;
  }

  const idp = await startLocalIdp({ port: Number(process.env.LOCAL_IDP_PORT ?? (await findFreePort())), redirectOrigins: [appUrl] });
  cleanups.push(() => idp.stop());
  const github = await startLocalGitHub({ redirectOrigins: [appUrl] });
  cleanups.push(() => github.stop());

  // Integrations: a local AWS (STS/IAM) with a demo account and a console page for its roles, and a local Okta,
  // Google Workspace and Entra ID whose directories match the demo organisations.
  const aws = await startLocalAws();
  aws.createAccount(DEMO_AWS_ACCOUNT, demoAccountFixture());
  cleanups.push(() => aws.stop());
  const awsConsole = await startLocalAwsConsole(aws, DEMO_AWS_ACCOUNT);
  cleanups.push(() => awsConsole.stop());
  const directories = await startLocalDirectories({ redirectOrigins: [appUrl] });
  directories.store.put("okta", "acme", demoDirectory("okta", "acme.test"));
  directories.store.put("google", "acme.test", demoDirectory("google", "acme.test"));
  directories.store.put("entra", LOCAL_IDP_TENANTS.contoso, demoDirectory("entra", "contoso.test"));
  cleanups.push(() => directories.stop());

  const appEnv = {
    DATABASE_URL: databaseUrl,
    AUTH_URL: appUrl,
    LOCAL_IDP_URL: idp.url,
    LOCAL_GITHUB_URL: github.url,
    SMTP_URL: smtpUrl,
    ADMIN_EMAILS: process.env.ADMIN_EMAILS ?? "admin@fabrikam.test",
    ...aws.env,
    ...directories.env,
  };
  const app = await startAppServer({ mode: "dev", port, env: appEnv });
  // `next dev` has no production server, so this launcher works the integration sync queue (lib/integrations/sync.ts).
  Object.assign(process.env, appEnv);
  const { startSyncWorker } = await import("../lib/integrations/sync.ts");
  const worker = startSyncWorker();
  cleanups.push(() => worker.stop());
  cleanups.unshift(() => app.stop());
  app.process.once("exit", (code) => void shutdown(code ?? 0));

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const users = LOCAL_IDP_USERS.map((u) => `    ${u.provider === "google" ? "Google   " : "Microsoft"}  ${u.email.padEnd(26)} ${u.description}`);
  console.log(
    [
      "",
      "  ┌─ Gatehouse is running ──────────────────────────────────────────",
      `  │ App:        ${app.url}   (ready in ${seconds} s)`,
      `  │ Database:   ${embedded ? `embedded PostgreSQL, .data/postgres (${databaseUrl.replace(/:[^:@/]+@/, ":***@")})` : "DATABASE_URL"}`,
      `  │ Migrations: ${migrations.applied.length} applied now, ${migrations.alreadyApplied} already applied`,
      `  │ Local IdP:  ${idp.url}  (plays Google Workspace and Microsoft Entra ID)`,
      `  │ GitHub:     ${github.url}  (local emulator; GitHub users join only by invitation)`,
      "  │",
      "  │ Demo accounts: click “Continue with Google/Microsoft”, then pick one:",
      ...users.map((line) => `  │${line}`),
      ...LOCAL_GITHUB_USERS.map((u) => `  │    GitHub     ${u.login.padEnd(26)} ${u.description}`),
      `  │ Admin at first sign-in: ${process.env.ADMIN_EMAILS ?? "admin@fabrikam.test"} (ADMIN_EMAILS)`,
      ...seeded.notes.map((note) => `  │   · ${note}`),
      `  │ Integrations (Partner → Integrations), all local:`,
      `  │   Okta:     domain ${directories.url}/okta/acme   Google: acme.test   Entra: tenant ${LOCAL_IDP_TENANTS.contoso}`,
      `  │   AWS:      account ${DEMO_AWS_ACCOUNT}; paste the trust policy at ${awsConsole.url} to create the role`,
      `  │ Mail:       ${externalSmtp ? "SMTP_URL" : `local SMTP sink ${smtpUrl} (messages print here and show on /admin/outbox)`}`,
      ...(seeded.secrets.length
        ? ["  │", "  │ Demo secrets (shown once, stored only as SHA-256 digests):", ...seeded.secrets.map((s) => `  │   ${s.label}: ${s.value}`)]
        : []),
      "  └─────────────────────────────────────────────────────────────────",
      "",
    ].join("\n"),
  );
} catch (error) {
  console.error(`\n[gatehouse] npm run dev failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
