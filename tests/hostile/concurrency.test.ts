/**
 * Concurrency (issue 7): 100 parallel uses of one single-use value give exactly one effect, and 1,000 concurrent MCP
 * calls with one key add exactly 1,000 to its usage counters.
 *
 * - The OAuth callback runs in-process (the local OpenID issuer is refused in production): Auth.js's own handlers
 *   (lib/auth/handlers.ts) served over real HTTP, a real sign-in against the local issuer, then its callback URL
 *   (code + state, with the browser's state/PKCE/nonce cookies) sent 100 times at once.
 * - Preview provisioning, partner approval and MCP run over HTTP against a production `next start`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, startAuthJsServer, type TestApp } from "../integration/http-app.ts";
import { db } from "@/lib/db";
import { resetConfigForTests } from "@/lib/config";
import { getApiKeyUsageByDay } from "@/lib/api-keys/api-keys";
import { LOCAL_IDP_USERS, startLocalIdp, type LocalIdp } from "../../scripts/lib/local-idp.ts";
import { findFreePort } from "../../scripts/lib/postgres.ts";
import { createPartner, createUser } from "../integration/support.ts";
import { clearRateLimits, mcpHeaders, productionSessionCookie, SAME_ORIGIN, seedTenant, startUnlimitedInstance, UNLIMITED_RATE_LIMITS, type Tenant } from "./support/fixtures.ts";
import type { ProductionInstance } from "./support/production.ts";

const PARALLEL = 100;

/** Statuses of a set of responses, e.g. `{ "303": 100 }`. */
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

describe("100 parallel uses of one OAuth state at the sign-in callback", () => {
  let idp: LocalIdp;
  let server: TestApp | undefined;
  let appUrl: string;
  const ENV_KEYS = ["AUTH_URL", "LOCAL_IDP_URL", "AUTH_SECRET", "PORTAL_SESSION_PASSWORD", ...Object.keys(UNLIMITED_RATE_LIMITS)];
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

  beforeAll(async () => {
    const port = await findFreePort();
    appUrl = `http://localhost:${port}`; // NextRequest calls 127.0.0.1 "localhost" anyway
    idp = await startLocalIdp({ redirectOrigins: [appUrl] });
    Object.assign(process.env, { AUTH_URL: appUrl, LOCAL_IDP_URL: idp.url, ...UNLIMITED_RATE_LIMITS });
    delete process.env.AUTH_SECRET;
    delete process.env.PORTAL_SESSION_PASSWORD;
    resetConfigForTests();
    server = await startAuthJsServer(appUrl, port);
    await clearRateLimits();
  });
  afterAll(async () => {
    await server?.close();
    await idp?.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetConfigForTests();
  });

  it("creates exactly one session and one sign-in audit event; the 99 replays are refused without a 5xx", async () => {
    const person = LOCAL_IDP_USERS.find((u) => u.email === "carol@globex.test")!;
    const app = new CookieJar();
    const issuer = new CookieJar();

    const { csrfToken } = (await (await app.send(`${appUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
    const start = await app.send(`${appUrl}/api/auth/signin/google`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${appUrl}/start` }).toString(),
    });
    let next = redirectOf(start);
    expect(new URL(next).searchParams.get("state")).toBeTruthy();
    // The issuer half: authorization endpoint → account chooser → pick the person → back to Gatehouse.
    while (!next.startsWith(appUrl)) {
      const response = await issuer.send(next);
      if (response.status === 200) {
        const form = new URL(/<form[^>]*action="([^"]+)"/.exec(await response.text())![1]!.replaceAll("&amp;", "&"), next).href;
        next = redirectOf(await issuer.send(form, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ user: person.id }).toString() }), form);
      } else {
        next = redirectOf(response, next);
      }
    }
    expect(new URL(next).pathname).toBe("/api/auth/callback/google");

    const sessionsBefore = await db.session.count({ where: { user: { email: person.email } } });
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => app.send(next, {}, false)));
    const statuses = responses.map((r) => r.status);
    const signedIn = responses.filter((r) => r.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token=") && !c.startsWith("authjs.session-token=;")));
    const user = await db.user.findUniqueOrThrow({ where: { email: person.email } });
    const sessions = (await db.session.count({ where: { userId: user.id } })) - sessionsBefore;
    await expect.poll(() => db.auditEvent.count({ where: { action: "auth.sign_in", actorId: user.id } })).toBeGreaterThan(0);
    const signInEvents = await db.auditEvent.count({ where: { action: "auth.sign_in", actorId: user.id } });
    console.log(`[hostile] concurrency: OAuth callback ×${PARALLEL}: statuses ${JSON.stringify(tally(statuses))}, sessions created ${sessions}, auth.sign_in events ${signInEvents}, session cookies set ${signedIn.length}`);

    expect(statuses.every((s) => s < 500)).toBe(true);
    expect(signedIn).toHaveLength(1);
    expect(sessions).toBe(1);
    expect(signInEvents).toBe(1);
    // The refused replays land on the sign-in error page, not in a session.
    const refused = responses.filter((r) => !signedIn.includes(r));
    expect(refused.every((r) => r.status === 302 && r.headers.get("location")!.includes("/sign-in/error"))).toBe(true);
  });

  // Not concurrency, but this is where Auth.js runs in-process: Auth.js itself calls a bad callbackUrl a server
  // misconfiguration (500); lib/auth/handlers.ts answers 400 first.
  it("answers a callbackUrl that is neither a path nor an http(s) URL with 400, in the query or the cookie", async () => {
    for (const init of [{ path: "/api/auth/session?callbackUrl=1" }, { path: "/api/auth/providers?callbackUrl=javascript:alert(1)" }, { path: "/api/auth/session", cookie: "authjs.callback-url=%5B" }]) {
      const response = await fetch(`${appUrl}${init.path}`, { headers: init.cookie ? { cookie: init.cookie } : {} });
      expect(response.status, init.path).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    }
    expect((await fetch(`${appUrl}/api/auth/providers?callbackUrl=%2Fpartner`)).status).toBe(200);
  });
});

describe("against a production instance", () => {
  let app: ProductionInstance;
  let tenant: Tenant;

  beforeAll(async () => {
    app = await startUnlimitedInstance("concurrency");
    tenant = await seedTenant("Concurrency", app.url);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("provisions one preview client and one token for 100 parallel 'View client portal' clicks", async () => {
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () => fetch(`${app.url}/projects/${tenant.unlinkedProjectId}/portal-preview`, { method: "POST", headers: { cookie: tenant.sessionCookie, ...SAME_ORIGIN }, redirect: "manual" })),
    );
    const statuses = responses.map((r) => r.status);
    const clients = await db.client.findMany({ where: { previewForProjectId: tenant.unlinkedProjectId } });
    const tokens = await db.clientAccessToken.count({ where: { clientId: { in: clients.map((c) => c.id) }, isPreview: true } });
    console.log(`[hostile] concurrency: preview provisioning ×${PARALLEL}: statuses ${JSON.stringify(tally(statuses))}, preview clients ${clients.length}, preview tokens ${tokens}`);
    expect(tally(statuses)).toEqual({ 303: PARALLEL });
    expect(clients).toHaveLength(1);
    expect(tokens).toBe(1);
  });

  it("approves a partner once for 100 parallel approvals: one audit row, one email, 99 conflicts", async () => {
    const partner = await createPartner({ status: "pending_approval" });
    const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
    await db.partner.update({ where: { id: partner.id }, data: { ownerUserId: owner.id } });
    const adminCookie = await productionSessionCookie((await createUser({ role: "admin" })).id);

    const statuses = await Promise.all(
      Array.from({ length: PARALLEL }, async () => (await fetch(`${app.url}/api/admin/partners/${partner.id}/approve`, { method: "POST", headers: { cookie: adminCookie, ...SAME_ORIGIN } })).status),
    );
    const audits = await db.auditEvent.count({ where: { partnerId: partner.id, action: "partner.approved" } });
    const emails = await db.outboxEmail.count({ where: { dedupeKey: `partner.approved:${partner.id}` } });
    console.log(`[hostile] concurrency: partner approval ×${PARALLEL}: statuses ${JSON.stringify(tally(statuses))}, partner.approved audit rows ${audits}, outbox emails ${emails}`);
    expect(tally(statuses)).toEqual({ 200: 1, 409: PARALLEL - 1 });
    expect(audits).toBe(1);
    expect(emails).toBe(1);
    expect((await db.partner.findUniqueOrThrow({ where: { id: partner.id } })).status).toBe("approved");
  });

  it("adds exactly 1,000 to usage_count and to the per-day usage for 1,000 concurrent MCP calls with one key", async () => {
    const CALLS = 1_000;
    const usage = async () => {
      const key = await db.apiKey.findUniqueOrThrow({ where: { id: tenant.apiKey.id } });
      const series = (await getApiKeyUsageByDay(tenant.partnerId, [tenant.apiKey.id]))[tenant.apiKey.id]!;
      return { total: Number(key.usageCount), perDay: series.reduce((sum, point) => sum + point.count, 0) };
    };
    const before = await usage();
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const response = await fetch(`${app.url}/api/mcp`, { method: "POST", headers: mcpHeaders(tenant.apiKey.secret), body: JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/list" }) });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    // Uses are counted in memory and written every second: wait for the write (at most a few seconds).
    let after = await usage();
    for (let waited = 0; after.total - before.total < CALLS && waited < 5_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await usage();
    }
    console.log(
      `[hostile] concurrency: ${CALLS} concurrent MCP tools/list in ${Date.now() - started} ms: statuses ${JSON.stringify(tally(statuses))}, ` +
        `usage_count +${after.total - before.total}, per-day usage +${after.perDay - before.perDay}`,
    );
    expect(tally(statuses)).toEqual({ 200: CALLS });
    expect(after.total - before.total).toBe(CALLS);
    expect(after.perDay - before.perDay).toBe(CALLS);
  });
});


function redirectOf(response: Response, base?: string): string {
  expect([302, 303], `expected a redirect, got ${response.status} ${response.headers.get("location") ?? ""}`).toContain(response.status);
  return new URL(response.headers.get("location")!, base ?? response.url).href;
}
