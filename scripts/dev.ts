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

  const app = await startAppServer({
    mode: "dev",
    port,
    env: {
      DATABASE_URL: databaseUrl,
      AUTH_URL: appUrl,
      LOCAL_IDP_URL: idp.url,
      LOCAL_GITHUB_URL: github.url,
      SMTP_URL: smtpUrl,
      ADMIN_EMAILS: process.env.ADMIN_EMAILS ?? "admin@fabrikam.test",
    },
  });
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
      `  │ Mail:       ${process.env.SMTP_URL ? "SMTP_URL" : `local SMTP sink ${smtpUrl} (messages print here and show on /admin/outbox)`}`,
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
