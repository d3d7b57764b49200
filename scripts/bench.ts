/**
 * `npm run bench` (issue 7): Gatehouse's production build under loopback load, against a peer, in one run.
 *
 * 1. A fresh migrated PostgreSQL database (embedded unless DATABASE_URL; scripts/lib/test-database.ts).
 * 2. `next build` into `.next-bench` with GATEHOUSE_BENCH_BUILD=1 (turns on app/api/bench/mcp-ungated), then
 *    `next start` with a complete production configuration and RATE_LIMIT_TOKEN_PER_MINUTE raised out of the way
 *    (the limiter's UPSERT still runs on every token request, so its cost is measured).
 * 3. Fixtures seeded through lib/: an approved partner, a member, a group, an OAuth client, an `mg_` API key, a portal
 *    client with a project and an access link; the Bearer token and the portal cookie are then obtained over HTTP.
 * 4. Every scenario is checked once (2xx and the expected body), then warmed up and loaded with autocannon
 *    (50 connections, 10 s) in a forked process (scripts/bench-load.ts); the peer (scripts/bench-peer.ts) runs in a
 *    process of its own too.
 * 5. Scale (issue 16): seeds 10,000 partners, 20,000 members, 1,000,000 audit events (scripts/bench-admin-console.ts),
 *    10,000 OAuth clients and 100,000 API keys into the same database, then measures the hot paths again; the results
 *    compare each scenario's req/s at scale with the same scenario before (`--skip-scale` leaves this out).
 * 6. Writes bench/results.md and bench/results.json.
 *
 * `--only admin-console` is a run of its own (scripts/bench-admin-console.ts): the admin console against 10,000
 * partners and 1,000,000 audit events, at 2 connections, p95 against the 100 ms target, with the query plans; it
 * writes bench/admin-console.md and the "Admin console" section of bench/results.md.
 *
 * Options: `--duration <s>` (10), `--warmup <s>` (3), `--connections <n>` (50), `--reuse-build` (skip `next build`
 * when `.next-bench` exists: local iteration only), `--only floor,token,…` (a subset of scenario ids, printed and
 * written to bench/.tmp/results-partial.json instead of bench/results.*: for experiments), `--profile` (instead of the benchmark: CPU-profile `next start`
 * under load on /api/health and /oauth/token and print where the time goes; see scripts/bench-profile.ts).
 */
import { spawn, spawnSync, fork } from "node:child_process";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { buildApp, startAppServer, type AppServer } from "./lib/app-server.ts";
import { localProductionEnv } from "./lib/production-env.ts";
import { ROOT } from "./lib/env-files.ts";
import { findFreePort } from "./lib/postgres.ts";
import { prepareTestDatabase } from "./lib/test-database.ts";
import { PEER_CLIENT } from "./bench-peer.ts";
import type { LoadResult, LoadSpec } from "./bench-load.ts";
import { formatProfileSummary, summarizeProfile } from "./bench-profile.ts";
import { expectedSyncBench, SYNC_BENCH, type SyncBenchResult } from "./bench-integration-sync.ts";
import { ADMIN_CONSOLE_EVENTS, ADMIN_CONSOLE_PARTNERS, COMMON_ACTION, explainAll, PARTNER_LIST_STATEMENTS, RARE_ACTION, seedAdminConsole } from "./bench-admin-console.ts";

const { values: options } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    "reuse-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    only: { type: "string" },
    "skip-scale": { type: "boolean", default: false },
  },
});
const DURATION = Number(options.duration);
const WARMUP = Number(options.warmup);
const CONNECTIONS = Number(options.connections);

const DIST_DIR = ".next-bench";
const BENCH_DIR = path.join(ROOT, "bench");
const TMP_DIR = path.join(BENCH_DIR, ".tmp");
const PROFILE_DIR = path.join(TMP_DIR, "prof");
const TOKEN_LIMIT = "100000000";
const MCP_PROTOCOL_VERSION = "2025-06-18";
const EXTERNAL_DATABASE = Boolean(process.env.DATABASE_URL);

/** The production configuration the app refuses to start without (lib/config.ts); also used in-process for seeding. */
const APP_ENV: Record<string, string> = { ...localProductionEnv("bench"), RATE_LIMIT_TOKEN_PER_MINUTE: TOKEN_LIMIT };
const APP_URL = APP_ENV.AUTH_URL!;

interface Scenario {
  id: string;
  title: string;
  spec: Omit<LoadSpec, "connections" | "duration">;
  /** A substring the one checked response must contain (proves the request does the real work, not an error page). */
  expect: string;
}

interface ScenarioResult extends LoadResult {
  id: string;
  title: string;
  /** rps ÷ floor rps. */
  ratio: number;
}

const log = (line: string) => console.log(`[bench] ${line}`);

function buildBenchApp(): void {
  if (options["reuse-build"] && existsSync(path.join(ROOT, DIST_DIR, "BUILD_ID"))) {
    log(`reusing the build in ${DIST_DIR} (--reuse-build)`);
    return;
  }
  log(`next build into ${DIST_DIR} (GATEHOUSE_BENCH_BUILD=1) …`);
  log(`built in ${buildApp(DIST_DIR, { GATEHOUSE_BENCH_BUILD: "1" }).toFixed(0)} s`);
}

/** Seeds the fixtures through lib/ (same code paths as the product) and returns what the requests need. */
async function seedFixtures() {
  const { createPartner, createUser } = await import("../tests/integration/support.ts");
  const { createGroup, addGroupMember } = await import("@/lib/groups/groups");
  const { createOAuthClientAsAdmin } = await import("@/lib/oauth/clients");
  const { createApiKey } = await import("@/lib/api-keys/api-keys");
  const { createClient, issueAccessLink } = await import("@/lib/portal/clients");
  const { createProject } = await import("@/lib/portal/projects");

  const partner = await createPartner({ name: "Bench Corp" });
  const user = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const actor = { type: "user" as const, id: user.id };
  const group = await createGroup(partner.id, { name: "Bench group" }, actor);
  await addGroupMember(partner.id, group.id, user.id, actor);
  const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Bench service", partner_id: partner.id, scopes: "groups:read members:read" }, systemAdminActor());
  const { apiKey, key } = await createApiKey(partner.id, user.id, { name: "Bench MCP", scopes: ["mcp:tools"] }, actor);
  const portalClient = await createClient(partner.id, { name: "Bench client" }, actor);
  await createProject(partner.id, { name: "Bench project", client_id: portalClient.id }, actor);
  const { url: portalLink } = await issueAccessLink(partner.id, portalClient.id, { label: "Bench" }, actor);
  return {
    groupId: group.id,
    userId: user.id,
    clientId: client.clientId,
    clientSecret,
    apiKey,
    mcpPrincipal: { kind: "api_key", keyId: key.id, owner: { kind: "user", userId: user.id }, partnerId: partner.id, scopes: key.scopes },
    portalPath: new URL(portalLink).pathname,
  };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
const FORM = "application/x-www-form-urlencoded";

/** Sends a scenario's request once. @throws Error unless it is 2xx and contains `expect` */
async function checkOnce(scenario: Scenario): Promise<void> {
  const { url, method, headers, body } = scenario.spec;
  const response = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  if (!response.ok || !text.includes(scenario.expect)) {
    throw new Error(`${scenario.title}: check failed, ${response.status} ${text.slice(0, 300)}`);
  }
}

/** Runs autocannon in a forked process. */
function runLoadInChild(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(ROOT, "scripts", "bench-load.ts"), { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let settled = false;
    child.once("message", (message: { result?: LoadResult; error?: string }) => {
      settled = true;
      if (message.result) resolve(message.result);
      else reject(new Error(`autocannon: ${message.error}`));
    });
    child.once("exit", (code) => {
      if (!settled) reject(new Error(`load process exited (code ${code}) without a result`));
    });
    child.send(spec);
  });
}

/** Rounds of the gate comparison, and seconds per scenario in each. */
const GATE_ROUNDS = 3;
const GATE_ROUND_SECONDS = 4;

/**
 * Measures `gated` and `ungated` in alternation, `GATE_ROUNDS` times each (ungated first), after one warm-up of each.
 * @returns per scenario: requests per second over all its rounds, and the median round's p50 and p99 (ms)
 */
async function alternate(gated: Scenario, ungated: Scenario, connections: number, seconds: number): Promise<{ gated: LoadResult; ungated: LoadResult }> {
  await measure(ungated, connections, 1, 0);
  await measure(gated, connections, 1, 0);
  const rounds: { gated: LoadResult[]; ungated: LoadResult[] } = { gated: [], ungated: [] };
  for (let round = 0; round < GATE_ROUNDS; round++) {
    rounds.ungated.push(await runLoadInChild({ ...ungated.spec, connections, duration: seconds }));
    rounds.gated.push(await runLoadInChild({ ...gated.spec, connections, duration: seconds }));
  }
  const combine = (results: LoadResult[]): LoadResult => {
    const byP50 = [...results].sort((a, b) => a.p50 - b.p50);
    const median = byP50[Math.floor(byP50.length / 2)]!;
    return { ...median, rps: results.reduce((sum, r) => sum + r.rps, 0) / results.length, errors: results.reduce((sum, r) => sum + r.errors, 0) };
  };
  return { gated: combine(rounds.gated), ungated: combine(rounds.ungated) };
}

async function measure(scenario: Scenario, connections = CONNECTIONS, duration = DURATION, warmup = WARMUP): Promise<LoadResult> {
  await checkOnce(scenario);
  if (warmup > 0) await runLoadInChild({ ...scenario.spec, connections, duration: warmup });
  return runLoadInChild({ ...scenario.spec, connections, duration });
}

/** Starts the peer in its own process. */
async function startPeerProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "bench-peer.ts")], { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`peer exited (code ${code}) before listening`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, stop };
}

/** Ops per second of `op` run back to back for `seconds` (at least `minOps` operations). */
async function opsPerSecond(op: () => Promise<unknown> | unknown, seconds: number, minOps = 3): Promise<{ opsPerSecond: number; ops: number; meanMs: number }> {
  let ops = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until || ops < minOps) {
    await op();
    ops += 1;
  }
  const elapsed = performance.now() - started;
  return { opsPerSecond: (ops * 1000) / elapsed, ops, meanMs: elapsed / ops };
}

async function startApp(databaseUrl: string, extraEnv: Record<string, string>, logName: string): Promise<AppServer & { base: string }> {
  const port = await findFreePort();
  const server = await startAppServer({
    mode: "start",
    port,
    hostname: "127.0.0.1",
    distDir: DIST_DIR,
    logFile: path.join(TMP_DIR, `${logName}.log`),
    timeoutMs: 90_000,
    env: { ...APP_ENV, DATABASE_URL: databaseUrl, ...extraEnv },
  });
  return { ...server, base: `http://127.0.0.1:${port}` };
}

async function fetchToken(base: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${base}/oauth/token`, {
    method: "POST",
    headers: { authorization: basic(clientId, clientSecret), "content-type": FORM },
    body: "grant_type=client_credentials&scope=groups%3Aread+members%3Aread",
  });
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function fetchPortalCookie(base: string, portalPath: string): Promise<string> {
  const response = await fetch(`${base}${portalPath}`, { redirect: "manual" });
  const setCookie = response.headers.get("set-cookie");
  if (response.status !== 303 || !setCookie) throw new Error(`portal entry failed: ${response.status}`);
  return setCookie.split(";")[0]!;
}

function tokenScenario(url: string, clientId: string, clientSecret: string, id = "token", title = "POST /oauth/token (client_credentials, client_secret_basic)"): Scenario {
  return {
    id,
    title,
    // The same request shape for Gatehouse and the peer: Basic auth, form body, one scope.
    spec: { url, method: "POST", headers: { authorization: basic(clientId, clientSecret), "content-type": FORM }, body: "grant_type=client_credentials&scope=groups%3Aread" },
    expect: "access_token",
  };
}

function mcpScenario(url: string, id: string, title: string, apiKey?: string): Scenario {
  return {
    id,
    title,
    spec: {
      url,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MCP_PROTOCOL_VERSION, ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    },
    expect: '"name":"whoami"',
  };
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;

async function runBenchmark(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  buildBenchApp();
  const database = await prepareTestDatabase("bench");
  Object.assign(process.env, APP_ENV, { DATABASE_URL: database.url });
  let app: (AppServer & { base: string }) | undefined;
  let peer: Awaited<ReturnType<typeof startPeerProcess>> | undefined;
  try {
    const fixtures = await seedFixtures();
    app = await startApp(database.url, { BENCH_MCP_PRINCIPAL: JSON.stringify(fixtures.mcpPrincipal) }, "app");
    peer = await startPeerProcess();
    const base = app.base;
    const token = await fetchToken(base, fixtures.clientId, fixtures.clientSecret);
    const portalCookie = await fetchPortalCookie(base, fixtures.portalPath);
    log(`app ${base}, peer ${peer.url}; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per scenario`);

    const floor: Scenario = { id: "floor", title: "GET /api/health (floor)", spec: { url: `${base}/api/health`, method: "GET", headers: {} }, expect: '"ok"' };
    const scenarios: Scenario[] = [
      floor,
      tokenScenario(`${base}/oauth/token`, fixtures.clientId, fixtures.clientSecret),
      { id: "group", title: "GET /api/auth/groups/{id} (Bearer)", spec: { url: `${base}/api/auth/groups/${fixtures.groupId}`, method: "GET", headers: { authorization: `Bearer ${token}` } }, expect: fixtures.groupId },
      {
        id: "member",
        title: "GET /api/auth/groups/{id}/members/{userId} (Bearer)",
        spec: { url: `${base}/api/auth/groups/${fixtures.groupId}/members/${fixtures.userId}`, method: "GET", headers: { authorization: `Bearer ${token}` } },
        expect: '"member":true',
      },
      mcpScenario(`${base}/api/mcp`, "mcp", "MCP tools/list via /api/mcp (mg_ key)", fixtures.apiKey),
      mcpScenario(`${base}/api/bench/mcp-ungated`, "mcp-ungated", "MCP tools/list, same handler, gate bypassed (bench build)"),
      { id: "portal", title: "GET /portal (portal cookie, re-validated)", spec: { url: `${base}/portal`, method: "GET", headers: { cookie: portalCookie } }, expect: "Bench project" },
      tokenScenario(`${peer.url}/token`, PEER_CLIENT.clientId, PEER_CLIENT.clientSecret, "peer", "Peer: oidc-provider POST /token (client_credentials, JWT)"),
      { ...floor, id: "floor-end", title: "GET /api/health again (drift check, end of run)" },
    ];
    const only = options.only?.split(",");
    if (only?.includes("integration-sync")) log(`integration sync: ${JSON.stringify(await measureIntegrationSync(database.url))}`);
    if (only) {
      const results: ScenarioResult[] = [];
      for (const scenario of scenarios.filter((s) => s.id === "floor" || only.includes(s.id))) {
        const result = await measure(scenario);
        results.push({ id: scenario.id, title: scenario.title, ...result, ratio: result.rps / (results[0]?.rps ?? result.rps) });
        log(`${scenario.title}: ${result.rps.toFixed(0)} req/s (${(results.at(-1)!.ratio * 100).toFixed(0)}% of floor), p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}`);
      }
      writeFileSync(path.join(TMP_DIR, "results-partial.json"), `${JSON.stringify({ loadAverage: os.loadavg(), results }, null, 2)}\n`);
      return;
    }
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await measure(scenario);
      const floorRps = results[0]?.rps ?? result.rps;
      results.push({ id: scenario.id, title: scenario.title, ...result, ratio: result.rps / floorRps });
      log(`${scenario.title}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}`);
    }

    // The gate, compared with itself removed, in alternation (ungated, gated, ungated, gated, …): the machine's drift
    // over a run moved one-shot ratios by more than the gate costs. Loaded at the run's connections, then at one
    // connection, where p50/p99 are service times rather than queue depth.
    const gateRounds = await alternate(scenarios[4]!, scenarios[5]!, CONNECTIONS, GATE_ROUND_SECONDS);
    const unloaded = await alternate(scenarios[4]!, scenarios[5]!, 1, GATE_ROUND_SECONDS);
    const unloadedGated = unloaded.gated;
    const unloadedUngated = unloaded.ungated;
    log(`MCP gate, ${GATE_ROUNDS} alternating rounds: ${CONNECTIONS} connections ${(gateRounds.gated.rps / gateRounds.ungated.rps).toFixed(2)}, 1 connection ${(unloadedGated.rps / unloadedUngated.rps).toFixed(2)} (p50 ${unloadedGated.p50} vs ${unloadedUngated.p50} ms)`);

    // Micro (in-process): API-key verification vs bcrypt cost 10.
    const { verifyApiKey, isWellFormedApiKey } = await import("@/lib/api-keys/api-keys");
    const { digestSecret } = await import("@/lib/secrets/secret-format");
    const bcrypt = (await import("bcryptjs")).default;
    const bcryptHash = await bcrypt.hash(fixtures.apiKey, 10);
    const micro = {
      formatAndSha256: await opsPerSecond(() => isWellFormedApiKey(fixtures.apiKey) && digestSecret(fixtures.apiKey), 1),
      verifyApiKey: await opsPerSecond(async () => {
        if (!(await verifyApiKey(fixtures.apiKey))) throw new Error("verifyApiKey refused the seeded key");
      }, 3),
      bcryptCompare10: await opsPerSecond(async () => {
        if (!(await bcrypt.compare(fixtures.apiKey, bcryptHash))) throw new Error("bcrypt refused the key");
      }, 3),
    };
    log(`micro: verifyApiKey ${micro.verifyApiKey.opsPerSecond.toFixed(0)} ops/s, bcrypt(10) ${micro.bcryptCompare10.opsPerSecond.toFixed(1)} ops/s`);

    const integrationSync = await measureIntegrationSync(database.url);
    log(`integration sync (${SYNC_BENCH.users} users, ${SYNC_BENCH.users * SYNC_BENCH.membershipsPerUser} memberships): ${integrationSync.map((r) => `${r.provider} ${r.seconds.toFixed(1)} s`).join(", ")}`);

    // The same hot paths with the tables grown to a large deployment's size: cost must not grow with them.
    let scale: ScaleResult | undefined;
    if (!options["skip-scale"]) {
      const seedSeconds = await seedScale(database.url);
      log(`scale fixtures seeded in ${seedSeconds.toFixed(0)} s`);
      const atScale: ScenarioResult[] = [];
      for (const scenario of scenarios.filter((s) => SCALE_SCENARIOS.includes(s.id))) {
        const result = await measure(scenario);
        atScale.push({ id: scenario.id, title: scenario.title, ...result, ratio: result.rps / (atScale[0]?.rps ?? result.rps) });
        log(`at scale: ${scenario.title}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, errors ${result.errors}`);
      }
      scale = { seedSeconds, results: atScale };
    }

    writeResults({ startedAt, loadBefore, results, gateRounds, unloaded: { gated: unloadedGated, ungated: unloadedUngated }, micro, scale, integrationSync });
  } finally {
    await peer?.stop();
    await app?.stop();
    const { db } = await import("@/lib/db");
    await db.$disconnect();
    await database.stop();
  }
}

/**
 * Issue 14's sync benchmark in a child process (scripts/bench-integration-sync.ts), on the same database: a
 * development configuration there, because production refuses the local emulators' loopback URLs.
 * @throws Error when the child fails or a sync did not store every user and membership
 */
async function measureIntegrationSync(databaseUrl: string): Promise<SyncBenchResult[]> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "bench-integration-sync.ts")], {
    env: { ...process.env, NODE_ENV: "development", DATABASE_URL: databaseUrl, AUTH_URL: "http://localhost:3000", LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = output.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{")) throw new Error(`integration sync benchmark failed (exit ${code})`);
  const { results } = JSON.parse(line) as { results: SyncBenchResult[] };
  for (const r of results) {
    const expected = expectedSyncBench(r.provider);
    if (r.status !== "succeeded" || r.users !== expected.users || r.memberships !== expected.memberships) {
      throw new Error(`integration sync benchmark: ${r.provider} stored ${JSON.stringify(r)}`);
    }
  }
  return results;
}

/** The scenarios measured again at scale (the floor first: ratios are to it). */
const SCALE_SCENARIOS = ["floor", "token", "group", "member", "mcp", "mcp-ungated", "portal"];
const SCALE_CLIENTS = 10_000;
const SCALE_API_KEYS = 100_000;

interface ScaleResult {
  seedSeconds: number;
  results: ScenarioResult[];
}

/**
 * Grows the benchmark database to a large deployment: the admin console's 10,000 partners, 20,000 members and
 * 1,000,000 audit events, plus 10,000 OAuth clients and 100,000 API keys spread over the approved partners (some
 * revoked, some expired), all in SQL, then ANALYZE.
 * @returns seconds spent
 */
async function seedScale(databaseUrl: string): Promise<number> {
  const started = performance.now();
  await seedAdminConsole(databaseUrl, "__Secure-authjs.session-token");
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const partner = (g: string) => `'bench-p' || (1 + (${g}) % ${ADMIN_CONSOLE_PARTNERS})`;
    await client.query(`
      INSERT INTO oauth_clients (id, client_id, name, partner_id, secret_digest, secret_prefix, allowed_scopes, default_scopes, grant_types, created_at, updated_at)
      SELECT 'scale-c' || g, 'gc_scale' || g, 'Scale client ' || g, ${partner("g")}, encode(sha256(('scale-client-' || g)::bytea), 'hex'),
             'gcs_scale', ARRAY['groups:read', 'mcp:tools'], ARRAY['groups:read'], ARRAY['client_credentials'], now(), now()
        FROM generate_series(1, ${SCALE_CLIENTS}) g`);
    await client.query(`
      INSERT INTO api_keys (id, name, partner_id, owner_user_id, key_digest, key_prefix, scopes, expires_at, revoked_at, usage_count, created_at)
      SELECT 'scale-k' || g, 'Scale key ' || g, 'bench-p' || (1 + g % ${ADMIN_CONSOLE_PARTNERS}), 'bench-u' || (1 + g % ${ADMIN_CONSOLE_PARTNERS}),
             encode(sha256(('scale-key-' || g)::bytea), 'hex'), 'mg_scale', ARRAY['mcp:tools'],
             CASE WHEN g % 10 = 0 THEN now() - interval '1 day' ELSE now() + interval '90 days' END,
             CASE WHEN g % 7 = 0 THEN now() END, g % 1000, now() - g * interval '1 second'
        FROM generate_series(1, ${SCALE_API_KEYS}) g`);
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

function gitCommit(): string {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() !== "";
  return `${head}${dirty ? " (with uncommitted changes)" : ""}`;
}

function writeResults(run: {
  startedAt: Date;
  loadBefore: number[];
  results: ScenarioResult[];
  gateRounds: { gated: LoadResult; ungated: LoadResult };
  unloaded: { gated: LoadResult; ungated: LoadResult };
  micro: Record<"formatAndSha256" | "verifyApiKey" | "bcryptCompare10", { opsPerSecond: number; ops: number; meanMs: number }>;
  scale?: ScaleResult;
  integrationSync: SyncBenchResult[];
}): void {
  const byId = Object.fromEntries(run.results.map((r) => [r.id, r])) as Record<string, ScenarioResult>;
  const mcp = run.gateRounds.gated;
  const ungated = run.gateRounds.ungated;
  const gate = {
    loaded: { addedP50Ms: mcp.p50 - ungated.p50, addedP99Ms: mcp.p99 - ungated.p99, throughputRatio: mcp.rps / ungated.rps },
    unloaded: { addedP50Ms: run.unloaded.gated.p50 - run.unloaded.ungated.p50, addedP99Ms: run.unloaded.gated.p99 - run.unloaded.ungated.p99, gated: run.unloaded.gated, ungated: run.unloaded.ungated },
  };
  const peerRatio = byId.token!.rps / byId.peer!.rps;
  const errors = run.results.reduce((sum, r) => sum + r.errors, 0) + run.gateRounds.gated.errors + run.gateRounds.ungated.errors + run.unloaded.gated.errors + run.unloaded.ungated.errors;
  const groupPeerRatio = byId.group!.rps / byId.peer!.rps;
  // Issue 16's goals, each a ratio measured in this one run.
  const targets = [
    { target: "POST /oauth/token ≥ 0.30× the peer", value: peerRatio.toFixed(2), met: peerRatio >= 0.3 },
    { target: "Bearer group read ≥ 0.35× the peer", value: groupPeerRatio.toFixed(2), met: groupPeerRatio >= 0.35 },
    { target: `MCP gated ≥ 0.90× ungated (${CONNECTIONS} connections)`, value: gate.loaded.throughputRatio.toFixed(2), met: gate.loaded.throughputRatio >= 0.9 },
    { target: "MCP gate adds ≤ 1 ms p50 (1 connection, no queueing)", value: `${ms(gate.unloaded.addedP50Ms)} ms`, met: gate.unloaded.addedP50Ms <= 1 },
    { target: "GET /portal ≥ 0.5× the floor", value: byId.portal!.ratio.toFixed(2), met: byId.portal!.ratio >= 0.5 },
    {
      target: `integration sync, ${SYNC_BENCH.users.toLocaleString("en")} users + ${(SYNC_BENCH.users * SYNC_BENCH.membershipsPerUser).toLocaleString("en")} memberships ≤ ${SYNC_BENCH.targetSeconds} s (slowest provider)`,
      value: `${Math.max(...run.integrationSync.map((r) => r.seconds)).toFixed(1)} s`,
      met: Math.max(...run.integrationSync.map((r) => r.seconds)) <= SYNC_BENCH.targetSeconds,
    },
    { target: "zero errors in every scenario", value: String(errors + (run.scale?.results.reduce((sum, r) => sum + r.errors, 0) ?? 0)), met: errors + (run.scale?.results.reduce((sum, r) => sum + r.errors, 0) ?? 0) === 0 },
  ];
  const environment = {
    date: run.startedAt.toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown"}`,
    loadAverageBefore: run.loadBefore.map((n) => Number(n.toFixed(2))),
    loadAverageAfter: os.loadavg().map((n) => Number(n.toFixed(2))),
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    rateLimitTokenPerMinute: Number(TOKEN_LIMIT),
    database: EXTERNAL_DATABASE ? "PostgreSQL from DATABASE_URL" : "embedded PostgreSQL 18 on loopback",
  };
  mkdirSync(BENCH_DIR, { recursive: true });
  writeFileSync(path.join(BENCH_DIR, "results.json"), `${JSON.stringify({ environment, scenarios: run.results, gate, peerRatio, micro: run.micro, integrationSync: run.integrationSync, scale: run.scale, targets }, null, 2)}\n`);
  const scaleSection = run.scale
    ? `
## At scale (10,000 partners, 20,000 members, 1,000,000 audit events, ${SCALE_CLIENTS.toLocaleString("en")} OAuth clients, ${SCALE_API_KEYS.toLocaleString("en")} API keys)
Seeded in ${run.scale.seedSeconds.toFixed(0)} s into the same database after the table above, then the same scenarios again.

| scenario | req/s before | req/s at scale | at scale ÷ before | p50 ms at scale | errors |
| --- | ---: | ---: | ---: | ---: | ---: |
${run.scale.results.map((r) => `| ${r.title} | ${byId[r.id]!.rps.toFixed(0)} | ${r.rps.toFixed(0)} | ${(r.rps / byId[r.id]!.rps).toFixed(2)} | ${r.p50} | ${r.errors} |`).join("\n")}
`
    : "";

  const rows = run.results.map((r, i) => `| ${i} | ${r.title} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors}${r.errors ? ` (${JSON.stringify(r.statusCodes)})` : ""} | ${r.ratio.toFixed(2)} |`);
  const markdown = `# Benchmark results (\`npm run bench\`)

${environment.date} · commit ${environment.commit} · Node ${environment.node} · ${environment.cpus} · load average before ${environment.loadAverageBefore.join(" / ")}, after ${environment.loadAverageAfter.join(" / ")}

Production build (\`next build\`) served by the production server (scripts/serve.ts: the machine endpoints on its fast lane,
pages and /api/health through Next), ${environment.database}, loopback HTTP with autocannon in its own process:
${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per scenario. **The app runs with RATE_LIMIT_TOKEN_PER_MINUTE=${TOKEN_LIMIT}**
so the token endpoint's limiter never refuses (its PostgreSQL UPSERT still runs on every request and is measured).
The peer runs in its own process on the same machine; ratios to it and to the floor come from this one run.
Errors = socket errors + timeouts + non-2xx responses. Ratios are to the floor (row 0) measured in the same run.

| # | scenario | req/s | p50 ms | p99 ms | errors | ÷ floor |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

## MCP gate (scenario 4 vs the same handler with the gate bypassed)
Measured apart from the table above: ${GATE_ROUNDS} rounds of ${GATE_ROUND_SECONDS} s each, ungated and gated in alternation (req/s averaged over the
rounds, p50/p99 of the median round).

| | p50 added | p99 added | throughput gated ÷ ungated |
| --- | ---: | ---: | ---: |
| ${CONNECTIONS} connections | ${ms(gate.loaded.addedP50Ms)} ms | ${ms(gate.loaded.addedP99Ms)} ms | ${gate.loaded.throughputRatio.toFixed(2)} |
| 1 connection (service time, no queueing) | ${ms(gate.unloaded.addedP50Ms)} ms | ${ms(gate.unloaded.addedP99Ms)} ms | ${(run.unloaded.gated.rps / run.unloaded.ungated.rps).toFixed(2)} |

At ${CONNECTIONS} connections a saturated server's latency is mostly queueing (p50 ≈ connections ÷ throughput), so the loaded
row shows the gate's CPU cost multiplied by the queue; the 1-connection row is the latency one request sees.

## Peer
Gatehouse \`/oauth/token\` ÷ oidc-provider \`/token\` throughput: **${peerRatio.toFixed(2)}** (${byId.token!.rps.toFixed(0)} vs ${byId.peer!.rps.toFixed(0)} req/s).

## Micro (in-process, sequential)
| operation | ops/s | mean ms |
| --- | ---: | ---: |
| API-key format check + SHA-256 (no database) | ${run.micro.formatAndSha256.opsPerSecond.toFixed(0)} | ${run.micro.formatAndSha256.meanMs.toFixed(4)} |
| verifyApiKey (format + SHA-256 + the in-process cache; uses counted in memory) | ${run.micro.verifyApiKey.opsPerSecond.toFixed(0)} | ${run.micro.verifyApiKey.meanMs.toFixed(3)} |
| bcryptjs compare, cost 10 (a naive per-request design) | ${run.micro.bcryptCompare10.opsPerSecond.toFixed(1)} | ${run.micro.bcryptCompare10.meanMs.toFixed(1)} |

## Integration sync (issue 14)
One whole sync per provider: ${SYNC_BENCH.users.toLocaleString("en")} users in ${SYNC_BENCH.groups} groups (${(SYNC_BENCH.users * SYNC_BENCH.membershipsPerUser).toLocaleString("en")} memberships; on AWS the root account is the
5,000th user), through the PostgreSQL job queue, the connector against the local emulator (AWS: STS AssumeRole, then IAM
GetAccountAuthorizationDetails by Marker and the credential report; directories: each API's paging, members read per
group, 6 at a time), risk, and the batched writes (\`unnest\`, 1,000 rows a statement) in the transaction that ends the job.

| provider | seconds | status | users | groups | roles | memberships stored |
| --- | ---: | --- | ---: | ---: | ---: | ---: |
${run.integrationSync.map((r) => `| ${r.provider} | ${r.seconds.toFixed(1)} | ${r.status} | ${r.users} | ${r.groups} | ${r.roles} | ${r.memberships} |`).join("\n")}

## Targets
| target | measured | met |
| --- | ---: | :---: |
${targets.map((t) => `| ${t.target} | ${t.value} | ${t.met ? "yes" : "**no**"} |`).join("\n")}
${scaleSection}`;
  writeFileSync(path.join(BENCH_DIR, "results.md"), `${markdown}${adminConsoleSection()}`);
  log(`wrote bench/results.md and bench/results.json`);
  console.log(`\n${markdown}`);
}

/** `--profile`: one `next start` per profiled route, CPU-profiled (`--cpu-prof`) under the same load. */
async function runProfile(): Promise<void> {
  buildBenchApp();
  const database = await prepareTestDatabase("bench");
  Object.assign(process.env, APP_ENV, { DATABASE_URL: database.url });
  try {
    const fixtures = await seedFixtures();
    const summaries: string[] = [];
    for (const target of ["health", "token"] as const) {
      const dir = path.join(PROFILE_DIR, target);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const app = await startApp(database.url, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` }, `profile-${target}`);
      try {
        const scenario: Scenario =
          target === "health"
            ? { id: "floor", title: "GET /api/health", spec: { url: `${app.base}/api/health`, method: "GET", headers: {} }, expect: '"ok"' }
            : tokenScenario(`${app.base}/oauth/token`, fixtures.clientId, fixtures.clientSecret);
        const result = await measure(scenario);
        log(`${scenario.title} under --cpu-prof: ${result.rps.toFixed(0)} req/s, errors ${result.errors}`);
      } finally {
        await app.stop();
      }
      const profiles = readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"));
      if (profiles.length === 0) throw new Error(`no .cpuprofile written in ${dir} (did next start exit cleanly?)`);
      // next start may run more than one process; the server is the one with the most samples.
      const summary = profiles.map((name) => summarizeProfile(path.join(dir, name))).sort((a, b) => b.totalMs - a.totalMs)[0]!;
      summaries.push(formatProfileSummary(`${target === "health" ? "GET /api/health" : "POST /oauth/token"} (${summary.file})`, summary));
    }
    const text = summaries.join("\n\n");
    writeFileSync(path.join(TMP_DIR, "profile-summary.md"), `${text}\n`);
    console.log(`\n${text}`);
    log(`profiles in ${path.relative(ROOT, PROFILE_DIR)}/, summary in bench/.tmp/profile-summary.md`);
  } finally {
    const { db } = await import("@/lib/db");
    await db.$disconnect();
    await database.stop();
  }
}

const ADMIN_CONSOLE_HEADING = "\n## Admin console at scale";

/** The admin-console section of bench/results.md (its own run writes it; a full run keeps it). */
function adminConsoleSection(): string {
  const file = path.join(BENCH_DIR, "results.md");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const at = current.indexOf(ADMIN_CONSOLE_HEADING);
  return at === -1 ? "" : current.slice(at);
}

/** `--only admin-console`: the admin console with 10,000 partners and 1,000,000 audit events (see the header). */
async function runAdminConsoleBenchmark(): Promise<void> {
  const connections = 2;
  buildBenchApp();
  const database = await prepareTestDatabase("bench");
  Object.assign(process.env, APP_ENV, { DATABASE_URL: database.url });
  let app: (AppServer & { base: string }) | undefined;
  try {
    const { sessionCookieName } = await import("@/lib/auth/session-cookie");
    log(`seeding ${ADMIN_CONSOLE_PARTNERS} partners and ${ADMIN_CONSOLE_EVENTS} audit events …`);
    const fixtures = await seedAdminConsole(database.url, sessionCookieName(true));
    log(`seeded in ${fixtures.seedSeconds.toFixed(0)} s`);
    app = await startApp(database.url, {}, "app-admin-console");
    const get = (id: string, title: string, pathAndQuery: string, expect: string, target = true): Scenario & { target: boolean } => ({
      id,
      title,
      spec: { url: `${app!.base}${pathAndQuery}`, method: "GET", headers: { cookie: fixtures.adminCookie } },
      expect,
      target,
    });
    const scenarios = [
      get("audit-partner", "/admin/audit?partner_id= (page)", `/admin/audit?partner_id=${fixtures.partnerId}`, fixtures.partnerName),
      get("audit-action-common", `/admin/audit?action=${COMMON_ACTION} (page; half of all events)`, `/admin/audit?action=${COMMON_ACTION}`, COMMON_ACTION),
      get("audit-action-rare", `/admin/audit?action=${RARE_ACTION} (page; 0.1% of events)`, `/admin/audit?action=${RARE_ACTION}`, RARE_ACTION),
      get("partners", "/admin/partners (pending tab, the default)", "/admin/partners", "Bench Partner"),
      get("partners-approved", "/admin/partners?tab=approved (7,000 partners)", "/admin/partners?tab=approved", "Bench Partner"),
      get("api-audit-partner", "GET /api/admin/audit?partner_id=", `/api/admin/audit?partner_id=${fixtures.partnerId}`, fixtures.partnerId, false),
      get("api-audit-action", `GET /api/admin/audit?action=${COMMON_ACTION}`, `/api/admin/audit?action=${COMMON_ACTION}`, COMMON_ACTION, false),
      get("audit-unfiltered", "/admin/audit (no filter)", "/admin/audit", "Bench Partner", false),
      get("partner-detail", "/admin/partners/{id} (detail)", `/admin/partners/${fixtures.partnerId}`, fixtures.partnerName, false),
    ];
    const results: (LoadResult & { title: string; target: boolean })[] = [];
    for (const scenario of scenarios) {
      const result = await measure(scenario, connections, DURATION, Math.min(WARMUP, 2));
      results.push({ ...result, title: scenario.title, target: scenario.target });
      log(`${scenario.title}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms, errors ${result.errors}`);
    }
    const { auditSearchStatement, parseAuditSearch } = await import("@/lib/audit/search");
    const plans = await explainAll(database.url, [
      { title: "audit search by partner (page 1)", ...(await auditSearchStatement(parseAuditSearch({ partner_id: fixtures.partnerId }))) },
      { title: `audit search by action ${COMMON_ACTION} (page 1)`, ...(await auditSearchStatement(parseAuditSearch({ action: COMMON_ACTION }))) },
      { title: `audit search by action ${RARE_ACTION} (page 1)`, ...(await auditSearchStatement(parseAuditSearch({ action: RARE_ACTION }))) },
      ...PARTNER_LIST_STATEMENTS,
    ]);
    const rows = results.map((r) => `| ${r.title} | ${r.rps.toFixed(0)} | ${r.p50} | **${r.p95}** | ${r.p99} | ${r.errors} | ${r.target ? (r.p95 <= 100 && r.errors === 0 ? "yes" : "**no**") : "—"} |`);
    const section = `${ADMIN_CONSOLE_HEADING} (\`npm run bench -- --only admin-console\`)

${new Date().toISOString()} · commit ${gitCommit()} · Node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown"} · load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" / ")}

${ADMIN_CONSOLE_PARTNERS.toLocaleString("en")} partners, ${(ADMIN_CONSOLE_PARTNERS * 2).toLocaleString("en")} members and ${ADMIN_CONSOLE_EVENTS.toLocaleString("en")} audit events (seeded in SQL in ${fixtures.seedSeconds.toFixed(0)} s),
a signed-in admin, production build, ${connections} connections, ${Math.min(WARMUP, 2)} s warm-up then ${DURATION} s per row. Target: p95 ≤ 100 ms.
p95 is computed from every response's time; p50/p99 are autocannon's. Query plans: bench/admin-console.md.

| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | target met |
| --- | ---: | ---: | ---: | ---: | ---: | :---: |
${rows.join("\n")}
`;
    const file = path.join(BENCH_DIR, "results.md");
    const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results (`npm run bench`)\n";
    const at = current.indexOf(ADMIN_CONSOLE_HEADING);
    writeFileSync(file, `${at === -1 ? current.trimEnd() + "\n" : current.slice(0, at)}${section}`);
    const planText = plans.map((p) => `### ${p.title}\n\n\`\`\`\n${p.plan}\n\`\`\`\n`).join("\n");
    writeFileSync(path.join(BENCH_DIR, "admin-console.md"), `# Admin console at scale: figures and query plans\n${section.slice(ADMIN_CONSOLE_HEADING.length)}\n## EXPLAIN (ANALYZE, BUFFERS)\n\n${planText}`);
    log("wrote the admin console section of bench/results.md and bench/admin-console.md");
    console.log(section);
  } finally {
    await app?.stop();
    const { db } = await import("@/lib/db");
    await db.$disconnect();
    await database.stop();
  }
}

mkdirSync(TMP_DIR, { recursive: true });
const started = Date.now();
try {
  await (options.profile ? runProfile() : options.only === "admin-console" ? runAdminConsoleBenchmark() : runBenchmark());
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
