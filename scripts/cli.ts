/**
 * The operator CLI: `npm run gatehouse -- <command> [options]`. JSON on stdout; on error a message on stderr
 * and a non-zero exit (1 usage or validation, 2 not found / conflict, 3 unavailable).
 *
 * Uses DATABASE_URL, or the development database of `npm run dev` (starting the embedded server if it is not
 * running).
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import path from "node:path";
import { ZodError } from "zod";
import { systemAdminActor } from "../lib/auth/admin-actor.ts";
import { startEmbeddedPostgres, type RunningPostgres } from "./lib/postgres.ts";
import { DATA_DIR } from "./lib/env-files.ts";

const USAGE = `Usage: npm run gatehouse -- <command> [options]

Commands:
  admin create --email <email> [--name <name>]   create an admin, or promote an existing user
  users list [--role admin|partner] [--partner <partnerId>] [--limit N] [--cursor <nextCursor>]
  users promote <userId>                          make a user an admin (audited)
  users demote <userId>                           take the admin role away (never the last admin)
  audit search [--partner <id>] [--actor <email|id|system>] [--action <a.b|a.*>] [--target <id|type:id>]
               [--since <date>] [--until <date>] [--limit N] [--cursor <nextCursor>]
  partners create --name <name> [--domain <domain>] [--approve]
  partners list [--status pending_approval|approved|rejected|suspended] [--q <search>] [--page N]
  partners approve <id>
  partners reject <id> --reason <text>
  partners suspend <id> --reason <text>
  partners reinstate <id>
  domains allow <domain-or-entra-tenant-id>
  domains list
  domains remove <entry-id>
  clients create --name <name> --partner <partnerId> --scopes "groups:read members:read" [--ttl <seconds>]
  clients list [--partner <partnerId>]
  clients rotate-secret <id>
  clients disable <id>
  clients enable <id>
  clients delete <id>
  keys rotate [--activate-in <seconds>]
  members remove <userId>                        remove from their partner: sessions end, their API keys are revoked
  integrations rekey                             re-encrypt integration credentials under the newest INTEGRATION_MASTER_KEYS id
  integrations sync-now                          run the queued integration syncs in this process, then exit
  evidence verify <file.jws> [--jwks <file>]      check an evidence bundle's signature (against this database's published keys,
                                                 or a saved /.well-known/jwks.json) and print what it asserts
  help`;

class UsageError extends Error {}

async function ensureDatabase(): Promise<RunningPostgres | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  const dataDir = path.join(DATA_DIR, "postgres");
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    throw new UsageError("DATABASE_URL is not set and there is no development database yet: run `npm run dev` once, or set DATABASE_URL.");
  }
  const port = Number(process.env.DEV_DB_PORT ?? 54329);
  const url = `postgresql://gatehouse:gatehouse@127.0.0.1:${port}/gatehouse`;
  const pg = await import("pg");
  const probe = new pg.default.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await probe.connect();
    await probe.end();
    process.env.DATABASE_URL = url;
    return undefined;
  } catch {
    // `npm run dev` is not running: start the embedded server just for this command.
    const server = await startEmbeddedPostgres({ dataDir, port, database: "gatehouse" });
    process.env.DATABASE_URL = server.url;
    return server;
  }
}

type Handler = (args: string[]) => Promise<unknown>;

const commands: Record<string, Handler> = {
  "admin create": async (args) => {
    const { values } = parseArgs({ args, options: { email: { type: "string" }, name: { type: "string" } }, strict: true });
    if (!values.email) throw new UsageError("admin create: --email is required");
    const { createAdminAsAdmin } = await import("../lib/auth/users.ts");
    return createAdminAsAdmin({ email: values.email, name: values.name }, SYSTEM);
  },
  "users list": async (args) => {
    const { values } = parseArgs({
      args,
      options: { role: { type: "string" }, partner: { type: "string" }, limit: { type: "string" }, cursor: { type: "string" } },
      strict: true,
    });
    if (values.role && values.role !== "admin" && values.role !== "partner") throw new UsageError("users list: --role must be admin or partner");
    const limit = values.limit ? Number(values.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 200)) throw new UsageError("users list: --limit must be 1..200");
    const { listUsersAsAdmin } = await import("../lib/auth/users.ts");
    return listUsersAsAdmin(SYSTEM, { role: values.role as "admin" | "partner" | undefined, partnerId: values.partner, limit, cursor: values.cursor });
  },
  "users promote": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { setUserAdminAsAdmin } = await import("../lib/auth/users.ts");
    return setUserAdminAsAdmin(requireId(positionals, "users promote <userId>"), "promote", SYSTEM);
  },
  "users demote": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { setUserAdminAsAdmin } = await import("../lib/auth/users.ts");
    return setUserAdminAsAdmin(requireId(positionals, "users demote <userId>"), "demote", SYSTEM);
  },
  "audit search": async (args) => {
    const text = { type: "string" } as const;
    const { values } = parseArgs({ args, options: { partner: text, actor: text, action: text, target: text, since: text, until: text, limit: text, cursor: text }, strict: true });
    const { searchAuditEventsAsAdmin } = await import("../lib/audit/search.ts");
    return searchAuditEventsAsAdmin(SYSTEM, {
      partner_id: values.partner,
      actor: values.actor,
      action: values.action,
      target: values.target,
      from: values.since,
      to: values.until,
      limit: values.limit,
      cursor: values.cursor,
    });
  },
  "partners create": async (args) => {
    const { values } = parseArgs({ args, options: { name: { type: "string" }, domain: { type: "string" }, approve: { type: "boolean" } }, strict: true });
    if (!values.name) throw new UsageError("partners create: --name is required");
    const { createPartnerAsAdmin } = await import("../lib/partners/approval.ts");
    return createPartnerAsAdmin({ name: values.name, domain: values.domain, approve: values.approve ?? false }, SYSTEM);
  },
  "partners list": async (args) => {
    const { values } = parseArgs({ args, options: { status: { type: "string" }, q: { type: "string" }, page: { type: "string" } }, strict: true });
    const { listPartnersAsAdmin } = await import("../lib/partners/approval.ts");
    return listPartnersAsAdmin(SYSTEM, { status: values.status as never, q: values.q, page: values.page ?? 1 });
  },
  "partners approve": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { approvePartnerAsAdmin } = await import("../lib/partners/approval.ts");
    return approvePartnerAsAdmin(requireId(positionals, "partners approve <id>"), SYSTEM);
  },
  "partners reject": async (args) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { reason: { type: "string" } }, strict: true });
    const { rejectPartnerAsAdmin } = await import("../lib/partners/approval.ts");
    return rejectPartnerAsAdmin(requireId(positionals, "partners reject <id> --reason <text>"), { reason: values.reason ?? "" }, SYSTEM);
  },
  "partners suspend": async (args) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { reason: { type: "string" } }, strict: true });
    const { suspendPartnerAsAdmin } = await import("../lib/partners/approval.ts");
    return suspendPartnerAsAdmin(requireId(positionals, "partners suspend <id> --reason <text>"), { reason: values.reason ?? "" }, SYSTEM);
  },
  "partners reinstate": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { reinstatePartnerAsAdmin } = await import("../lib/partners/approval.ts");
    return reinstatePartnerAsAdmin(requireId(positionals, "partners reinstate <id>"), SYSTEM);
  },
  "domains allow": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { allowDomainAsAdmin } = await import("../lib/partners/allowlist.ts");
    return allowDomainAsAdmin({ value: requireId(positionals, "domains allow <domain>") }, SYSTEM);
  },
  "domains list": async () => {
    const { listAllowlistAsAdmin } = await import("../lib/partners/allowlist.ts");
    return { entries: await listAllowlistAsAdmin(SYSTEM) };
  },
  "domains remove": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { removeAllowlistEntryAsAdmin } = await import("../lib/partners/allowlist.ts");
    const id = requireId(positionals, "domains remove <entry-id>");
    await removeAllowlistEntryAsAdmin(id, SYSTEM);
    return { removed: id };
  },
  "clients create": async (args) => {
    const { values } = parseArgs({ args, options: { name: { type: "string" }, partner: { type: "string" }, scopes: { type: "string" }, ttl: { type: "string" } }, strict: true });
    if (!values.name || !values.partner || !values.scopes) throw new UsageError("clients create: --name, --partner and --scopes are required");
    const { createOAuthClientAsAdmin } = await import("../lib/oauth/clients.ts");
    const { oauthClientJson } = await import("../lib/oauth/wire.ts");
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: values.name, partner_id: values.partner, scopes: values.scopes, ...(values.ttl ? { access_token_ttl: values.ttl } : {}) }, SYSTEM);
    return oauthClientJson(client, clientSecret);
  },
  "clients list": async (args) => {
    const { values } = parseArgs({ args, options: { partner: { type: "string" }, page: { type: "string" } }, strict: true });
    const { listOAuthClientsAsAdmin } = await import("../lib/oauth/clients.ts");
    const { oauthClientJson } = await import("../lib/oauth/wire.ts");
    const { clients, total } = await listOAuthClientsAsAdmin(SYSTEM, { partnerId: values.partner, page: Number(values.page ?? 1) || 1 });
    return { clients: clients.map((c) => oauthClientJson(c)), total };
  },
  "clients rotate-secret": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { rotateOAuthClientSecretAsAdmin } = await import("../lib/oauth/clients.ts");
    const { oauthClientJson } = await import("../lib/oauth/wire.ts");
    const { client, clientSecret } = await rotateOAuthClientSecretAsAdmin(requireId(positionals, "clients rotate-secret <id>"), SYSTEM);
    return oauthClientJson(client, clientSecret);
  },
  "clients disable": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { disableOAuthClientAsAdmin } = await import("../lib/oauth/clients.ts");
    const { oauthClientJson } = await import("../lib/oauth/wire.ts");
    return oauthClientJson(await disableOAuthClientAsAdmin(requireId(positionals, "clients disable <id>"), SYSTEM));
  },
  "clients enable": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { enableOAuthClientAsAdmin } = await import("../lib/oauth/clients.ts");
    const { oauthClientJson } = await import("../lib/oauth/wire.ts");
    return oauthClientJson(await enableOAuthClientAsAdmin(requireId(positionals, "clients enable <id>"), SYSTEM));
  },
  "clients delete": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { deleteOAuthClientAsAdmin } = await import("../lib/oauth/clients.ts");
    const id = requireId(positionals, "clients delete <id>");
    await deleteOAuthClientAsAdmin(id, SYSTEM);
    return { deleted: id };
  },
  "keys rotate": async (args) => {
    const { values } = parseArgs({ args, options: { "activate-in": { type: "string" } }, strict: true });
    const seconds = values["activate-in"] === undefined ? undefined : Number(values["activate-in"]);
    if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400)) throw new UsageError("keys rotate: --activate-in must be 0..86400 seconds");
    const { rotateSigningKeys } = await import("../lib/oauth/signing-keys.ts");
    return rotateSigningKeys({ activateInSeconds: seconds });
  },
  "integrations rekey": async (args) => {
    parseArgs({ args, strict: true });
    const { reencryptIntegrationCredentials } = await import("../lib/integrations/credentials.ts");
    return reencryptIntegrationCredentials();
  },
  "integrations sync-now": async (args) => {
    parseArgs({ args, strict: true });
    const { drainSyncJobs } = await import("../lib/integrations/sync.ts");
    return { jobs_run: await drainSyncJobs() };
  },
  "evidence verify": async (args) => {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { jwks: { type: "string" } }, strict: true });
    const { readFile } = await import("node:fs/promises");
    const jws = await readFile(requireId(positionals, "evidence verify <file.jws>"), "utf8");
    const { verifyEvidence } = await import("../lib/integrations/evidence.ts");
    const { getJwks } = await import("../lib/oauth/signing-keys.ts");
    const jwks = values.jwks ? JSON.parse(await readFile(values.jwks, "utf8")) : await getJwks();
    try {
      const payload = await verifyEvidence(jws, jwks);
      return { valid: true, integration: payload.integration, job: payload.job, resource_count: payload.resource_count, issued_at: new Date(payload.iat * 1000).toISOString() };
    } catch (error) {
      throw new UsageError(`evidence verify: the bundle does not verify (${(error as Error).message})`);
    }
  },
  "members remove": async (args) => {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
    const { removeMemberAsAdmin } = await import("../lib/partners/team.ts");
    const removed = await removeMemberAsAdmin(requireId(positionals, "members remove <userId>"), SYSTEM);
    return { removed: removed.userId, partner_id: removed.partnerId, sessions_ended: removed.sessionsEnded, api_keys_revoked: removed.apiKeysRevoked };
  },
};

/** The CLI acts as the operator: whoever runs it already holds the database credentials. */
const SYSTEM = systemAdminActor();

function requireId(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`usage: ${usage}`);
  return positionals[0];
}

/** Runs one CLI invocation. Exported for tests; returns the process exit code. */
export async function runCli(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const key = argv.slice(0, 2).join(" ");
  const handler = commands[key];
  if (!handler || argv[0] === "help" || argv.length === 0) {
    (handler || argv[0] === "help" ? out : err).write(`${USAGE}\n`);
    return argv[0] === "help" ? 0 : 1;
  }
  let server: RunningPostgres | undefined;
  try {
    server = await ensureDatabase();
    const result = await handler(argv.slice(2));
    out.write(`${JSON.stringify(result, null, 2)}\n`);
    // Operator actions queue emails; deliver them before the process exits.
    const { deliverPendingEmails } = await import("../lib/mail/outbox.ts");
    await deliverPendingEmails().catch(() => 0);
    return 0;
  } catch (error) {
    const { AppError } = await import("../lib/http/errors.ts");
    const { isDatabaseUnavailable } = await import("../lib/http/database-errors.ts");
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      err.write(`error: ${error.message}\n${USAGE}\n`);
      return 1;
    }
    if (error instanceof ZodError) {
      err.write(`error: ${error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}\n`);
      return 1;
    }
    if (error instanceof AppError) {
      err.write(`error: ${error.message}\n`);
      return error.status === 404 || error.status === 409 ? 2 : 1;
    }
    if (isDatabaseUnavailable(error)) {
      err.write("error: the database is unreachable (check DATABASE_URL)\n");
      return 3;
    }
    err.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (server) {
      const { db } = await import("../lib/db.ts");
      await db.$disconnect();
      await server.stop();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await runCli(process.argv.slice(2));
  const { db } = await import("../lib/db.ts");
  await db.$disconnect().catch(() => {});
  process.exit(code);
}
