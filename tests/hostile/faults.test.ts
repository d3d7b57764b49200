/**
 * Faults under load (issue 7, "Faults"), on a PostgreSQL of this file's own so stopping it disturbs nobody:
 * (a) PostgreSQL stops while DB-backed routes are under load → 503, never 500, the process lives, and the same
 *     process serves 200 again once PostgreSQL is back;
 * (b) the app is SIGKILLed during a write load → no partially written records (every row has its audit event and
 *     vice versa, no orphans, constraints valid, counts match the 2xx answers up to the requests in flight).
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATA_DIR } from "../../scripts/lib/env-files.ts";
import { applyMigrations } from "../../scripts/lib/migrations.ts";
import { findFreePort, startEmbeddedPostgres, type RunningPostgres } from "../../scripts/lib/postgres.ts";
import { resetConfigForTests } from "@/lib/config";
import { createUser } from "../integration/support.ts";
import { HOSTILE_APP_URL, startProductionInstance, type ProductionInstance } from "./support/production.ts";
import { accessToken, basicAuth, mcpInitialize, secretNeedles, seedTenant, type HostileTenant } from "./support/seed.ts";

const dataDir = path.join(DATA_DIR, `faults-postgres-${process.pid}`);
const DATABASE = "gatehouse_faults";
let port: number;
let postgres: RunningPostgres | undefined;
let databaseUrl: string;
const instances: ProductionInstance[] = [];

/** (Re)starts this file's PostgreSQL on the same port and data directory (persistent, so data survives a stop). */
const startPostgres = async () => {
  postgres = await startEmbeddedPostgres({ dataDir, port, database: DATABASE, persistent: true });
  return postgres;
};

beforeAll(async () => {
  port = await findFreePort();
  databaseUrl = (await startPostgres()).url;
  await applyMigrations(databaseUrl);
  // Fixtures go through lib/ into this database (nothing else in this worker has touched `db` yet).
  process.env.DATABASE_URL = databaseUrl;
  resetConfigForTests();
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await postgres?.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(name: string): Promise<ProductionInstance> {
  // Token-endpoint limit out of the way: this file measures faults, not rate limits.
  const instance = await startProductionInstance({ databaseUrl, name, env: { RATE_LIMIT_TOKEN_PER_MINUTE: "1000000", RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE: "1000000" } });
  instances.push(instance);
  return instance;
}

interface Sample {
  route: string;
  status: number; // 0: no HTTP answer (connection refused or reset)
  startedAt: number;
  endedAt: number;
  body?: unknown;
}

/**
 * Runs `concurrency` loops, each sending `next()`'s request and recording the answer, until `stop()` is called.
 * @returns the samples and a stop function that resolves when every loop has finished its last request
 */
function runLoad(concurrency: number, next: (i: number) => { route: string; send: () => Promise<Response> }) {
  const samples: Sample[] = [];
  let running = true;
  let counter = 0;
  const loop = async () => {
    while (running) {
      const { route, send } = next(counter++);
      const startedAt = performance.now();
      try {
        const response = await send();
        const body = response.headers.get("content-type")?.includes("json") ? await response.json().catch(() => undefined) : await response.arrayBuffer().then(() => undefined);
        samples.push({ route, status: response.status, startedAt, endedAt: performance.now(), body });
      } catch {
        samples.push({ route, status: 0, startedAt, endedAt: performance.now() });
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

const byStatus = (samples: Sample[]) => {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
};
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("faults", () => {
  let tenant: HostileTenant;
  beforeAll(async () => {
    tenant = await seedTenant();
  });

  it("answers 503 (never 500) while PostgreSQL is down under load, and serves again without a restart when it returns", async () => {
    const app = await start("faults-outage");
    const token = await accessToken(app.url, tenant.oauthClient.clientId, tenant.oauthClient.clientSecret, "groups:read");
    const routes = [
      { route: "POST /oauth/token", send: () => fetch(`${app.url}/oauth/token`, { method: "POST", headers: { authorization: basicAuth(tenant.oauthClient.clientId, tenant.oauthClient.clientSecret), "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials&scope=groups:read" }) },
      { route: "GET /api/auth/groups/{id}", send: () => fetch(`${app.url}/api/auth/groups/${tenant.groupId}`, { headers: { authorization: `Bearer ${token}` } }) },
      { route: "POST /api/mcp", send: () => mcpInitialize(app.url, { authorization: `Bearer ${tenant.apiKey.secret}` }) },
      { route: "GET /api/health/ready", send: () => fetch(`${app.url}/api/health/ready`) },
    ];
    const load = runLoad(16, (i) => routes[i % routes.length]!);
    await sleep(1_500);
    const stopping = performance.now();
    await postgres!.stop();
    const stopped = performance.now();
    await sleep(3_000);
    const restarting = performance.now();
    await startPostgres();
    const restarted = performance.now();
    // Recovery: every route answers 200 again, on the same process, within 15 s.
    const recoveredBy = restarted + 15_000;
    let recoveredAt: number | undefined;
    while (performance.now() < recoveredBy) {
      const recent = load.samples.filter((s) => s.startedAt > (recoveredAt ?? restarted));
      if (routes.every((r) => recent.some((s) => s.route === r.route && s.status === 200))) {
        recoveredAt ??= performance.now();
        if (performance.now() - recoveredAt > 1_000) break;
      }
      await sleep(100);
    }
    await load.stop();
    const { samples } = load;

    const before = samples.filter((s) => s.endedAt < stopping);
    const down = samples.filter((s) => s.startedAt > stopped && s.endedAt < restarting);
    const straddling = samples.filter((s) => !before.includes(s) && !down.includes(s) && s.startedAt < restarted);
    const after = samples.filter((s) => s.startedAt >= restarted);
    console.log(
      `[hostile] PostgreSQL outage under load: ${samples.length} requests (16 connections, ${routes.length} DB-backed routes); 1 fault injected ` +
        `(PostgreSQL stopped ${((restarting - stopped) / 1000).toFixed(1)} s)\n` +
        `  before stop ${JSON.stringify(byStatus(before))}; while down ${JSON.stringify(byStatus(down))}; ` +
        `around stop/start ${JSON.stringify(byStatus(straddling))}; after restart ${JSON.stringify(byStatus(after))}; ` +
        `median latency before the stop ${routes.map((r) => `${r.route} ${median(before.filter((b) => b.route === r.route).map((b) => b.endedAt - b.startedAt)).toFixed(0)} ms`).join(", ")}; ` +
        `recovered ${recoveredAt ? `${((recoveredAt - restarted) / 1000).toFixed(2)} s after PostgreSQL was back` : "NOT"}`,
    );

    expect(app.process.exitCode, "the app process is still alive").toBeNull();
    expect(samples.filter((s) => s.status !== 200 && s.status !== 503).map((s) => `${s.route} → ${s.status}`), "only 200 or 503, never 500 or no answer").toEqual([]);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((s) => s.status === 200)).toBe(true);
    expect(down.length, "requests were sent while PostgreSQL was down").toBeGreaterThan(20);
    expect(byStatus(down), "every request while PostgreSQL is down answers 503").toEqual({ 503: down.length });
    const oauth503 = down.find((s) => s.route === "POST /oauth/token")?.body;
    expect(oauth503).toEqual({ error: "temporarily_unavailable", error_description: expect.any(String) });
    const otherBodies = new Set(down.filter((s) => s.route !== "POST /oauth/token").map((s) => JSON.stringify(s.body)));
    expect([...otherBodies].map((b) => JSON.parse(b) as unknown), "the other routes answer the one service_unavailable body, nothing internal").toEqual(
      [...otherBodies].map(() => ({ error: "service_unavailable", message: expect.stringMatching(/unavailable/) })),
    );
    expect(recoveredAt, "each route answered 200 again after PostgreSQL returned, without restarting the app").toBeDefined();
    // Errors logged during the outage carry no credential of the failed requests.
    const log = readFileSync(app.logFile, "utf8");
    expect(log, "the outage is in the log").toMatch(/database unavailable/);
    const secrets = { "client secret": tenant.oauthClient.clientSecret, "API key": tenant.apiKey.secret, "access token": token };
    expect(Object.entries(secrets).filter(([, value]) => secretNeedles(value).some((needle) => log.includes(needle))).map(([name]) => name), "secrets in the outage log").toEqual([]);
    console.log(`[hostile] outage log: ${Buffer.byteLength(log)} bytes, ${log.split("database unavailable").length - 1} "database unavailable" lines, ${Object.keys(secrets).length} secrets checked, 0 hits`);
  });

  it("leaves no partially written record when the app is SIGKILLed during a write load", async () => {
    const app = await start("faults-kill");
    const actor = { partnerId: tenant.partnerId };
    const users = await Promise.all(Array.from({ length: 12 }, () => createUser({ partnerId: actor.partnerId })));
    const token = await accessToken(app.url, tenant.oauthClient.clientId, tenant.oauthClient.clientSecret, "groups:write members:write");
    const createdGroups: string[] = [tenant.groupId];
    const json = (body: unknown) => JSON.stringify(body);
    const operations = [
      { route: "create group", send: (i: number) => fetch(`${app.url}/api/auth/groups`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: json({ name: `kill-${i}-${Math.random().toString(36).slice(2, 8)}` }) }) },
      { route: "add member", send: (i: number) => fetch(`${app.url}/api/auth/groups/${createdGroups[i % createdGroups.length]}/members`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: json({ user_id: users[i % users.length]!.id }) }) },
      { route: "create API key (session)", send: (i: number) => fetch(`${app.url}/api/auth/api-keys`, { method: "POST", headers: { cookie: tenant.memberCookie, origin: HOSTILE_APP_URL, "content-type": "application/json" }, body: json({ name: `kill-${i}` }) }) },
      { route: "exchange client for API key", send: () => fetch(`${app.url}/auth/client`, { method: "POST", headers: { "content-type": "application/json" }, body: json({ client_id: tenant.oauthClient.clientId, client_secret: tenant.oauthClient.clientSecret }) }) },
    ];
    const load = runLoad(16, (i) => {
      const op = operations[i % operations.length]!;
      return { route: op.route, send: () => op.send(i) };
    });
    // Kill once the load is well under way (≥ 200 answered writes), mid-flight.
    const deadline = Date.now() + 20_000;
    let seen = 0;
    while (load.samples.filter((s) => s.status >= 200 && s.status < 300).length < 200 && Date.now() < deadline) {
      for (const s of load.samples.slice(seen)) if (s.route === "create group" && s.status === 201 && s.body) createdGroups.push((s.body as { id: string }).id);
      seen = load.samples.length;
      await sleep(25);
    }
    app.process.kill("SIGKILL");
    await load.stop();
    const { samples } = load;
    const inFlight = (route: string) => samples.filter((s) => s.route === route && s.status === 0).length;
    const ok = (route: string, status = 201) => samples.filter((s) => s.route === route && s.status === status);
    expect(samples.filter((s) => s.status >= 500), "no 5xx before the kill").toEqual([]);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const count = async (sql: string, params: unknown[] = []) => Number((await client.query<{ n: string }>(sql, params)).rows[0]!.n);
      const p = [tenant.partnerId];
      const checks: Record<string, number> = {
        "groups without their group.created event": await count(`SELECT count(*) AS n FROM groups g WHERE g.partner_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'group.created' AND a.target_id = g.id)`, p),
        "group.created events without their group": await count(`SELECT count(*) AS n FROM audit_events a WHERE a.partner_id = $1 AND a.action = 'group.created' AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = a.target_id)`, p),
        "memberships without their group.member_added event": await count(
          `SELECT count(*) AS n FROM group_memberships m JOIN groups g ON g.id = m.group_id WHERE g.partner_id = $1
             AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'group.member_added' AND a.target_id = m.group_id AND a.metadata->>'userId' = m.user_id)`,
          p,
        ),
        "group.member_added events without their membership": await count(
          `SELECT count(*) AS n FROM audit_events a WHERE a.partner_id = $1 AND a.action = 'group.member_added'
             AND NOT EXISTS (SELECT 1 FROM group_memberships m WHERE m.group_id = a.target_id AND m.user_id = a.metadata->>'userId')`,
          p,
        ),
        "API keys without their api_key.created event": await count(`SELECT count(*) AS n FROM api_keys k WHERE k.partner_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'api_key.created' AND a.target_id = k.id)`, p),
        "api_key.created events without their key": await count(`SELECT count(*) AS n FROM audit_events a WHERE a.partner_id = $1 AND a.action = 'api_key.created' AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = a.target_id)`, p),
        "constraints not validated": await count(`SELECT count(*) AS n FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace WHERE s.nspname = 'public' AND NOT c.convalidated`),
      };
      // Every single-column foreign key in the schema, checked for orphans (the constraints say so; this proves it).
      const foreignKeys = (
        await client.query<{ child: string; column: string; parent: string; parent_column: string }>(
          `SELECT cl.relname AS child, a.attname AS column, pcl.relname AS parent, pa.attname AS parent_column
             FROM pg_constraint c
             JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pcl ON pcl.oid = c.confrelid
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.connamespace = 'public'::regnamespace`,
        )
      ).rows;
      let orphans = 0;
      for (const fk of foreignKeys) {
        orphans += await count(`SELECT count(*) AS n FROM "${fk.child}" c WHERE c."${fk.column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "${fk.parent}" p WHERE p."${fk.parent_column}" = c."${fk.column}")`);
      }
      checks[`orphan rows across ${foreignKeys.length} foreign keys`] = orphans;

      const rows = {
        groups: await count(`SELECT count(*) AS n FROM groups WHERE partner_id = $1`, p),
        memberships: await count(`SELECT count(*) AS n FROM group_memberships m JOIN groups g ON g.id = m.group_id WHERE g.partner_id = $1`, p),
        "member API keys": await count(`SELECT count(*) AS n FROM api_keys WHERE partner_id = $1 AND owner_user_id IS NOT NULL`, p),
        "client API keys": await count(`SELECT count(*) AS n FROM api_keys WHERE partner_id = $1 AND owner_client_id IS NOT NULL`, p),
        "audit events": await count(`SELECT count(*) AS n FROM audit_events WHERE partner_id = $1`, p),
      };
      // Rows the test process wrote itself before the load (seedTenant: one group, one member key).
      const expected = {
        groups: { answered: ok("create group").length + 1, inFlight: inFlight("create group") },
        memberships: { answered: ok("add member").length, inFlight: inFlight("add member") },
        "member API keys": { answered: ok("create API key (session)").length + 1, inFlight: inFlight("create API key (session)") },
        "client API keys": { answered: ok("exchange client for API key").length, inFlight: inFlight("exchange client for API key") },
      };
      console.log(
        `[hostile] SIGKILL during write load: ${samples.length} requests ${JSON.stringify(byStatus(samples))} (status 0 = in flight at the kill or refused after it); 1 fault injected\n` +
          `  rows vs 2xx answers: ${Object.entries(expected).map(([name, e]) => `${name} ${rows[name as keyof typeof rows]} (2xx ${e.answered}, in flight ${e.inFlight})`).join("; ")}; audit events ${rows["audit events"]}\n` +
          `  invariants: ${Object.entries(checks).map(([name, n]) => `${name}: ${n}`).join("; ")}\n` +
          `  records checked: ${rows.groups + rows.memberships + rows["member API keys"] + rows["client API keys"] + rows["audit events"]}`,
      );
      expect(checks, "no row without its audit event, no event without its row, no orphan").toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, 0])));
      for (const [name, e] of Object.entries(expected)) {
        const stored = rows[name as keyof typeof rows];
        expect(stored, `${name}: every 2xx answer is stored`).toBeGreaterThanOrEqual(e.answered);
        // A write can commit while its answer is lost with the process: at most one per request in flight.
        expect(stored - e.answered, `${name}: extra rows are explained by requests in flight`).toBeLessThanOrEqual(e.inFlight);
      }
      // Every id the app answered with is there.
      // (An answer whose body was cut by the kill has a status but no id.)
      const answeredGroupIds = ok("create group").flatMap((s) => (s.body ? [(s.body as { id: string }).id] : []));
      expect(await count(`SELECT count(*) AS n FROM groups WHERE id = ANY($1)`, [answeredGroupIds])).toBe(answeredGroupIds.length);
    } finally {
      await client.end();
    }
  });
});
