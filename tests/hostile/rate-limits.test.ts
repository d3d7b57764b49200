/**
 * Rate limits across instances (issue 7, "Rate limits"): the token endpoint (per client and IP), `/auth/client`,
 * `/portal/enter/*` and sign-in (per IP) answer 429 with `Retry-After` once the limit is spent, and the count is
 * shared by two `next start` instances because it lives in PostgreSQL. Each endpoint gets a different low limit
 * through its environment knob, so the test also proves each knob is the one that applies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProductionInstance, type ProductionInstance } from "./support/production.ts";
import { db } from "@/lib/db";
import { clearRateLimits } from "./support/fixtures.ts";
import { basicAuth, requestToken, seedTenant, type HostileTenant } from "./support/seed.ts";

const LIMITS = { token: 4, signIn: 5, clientExchange: 6, portalEnter: 7 };
let instances: ProductionInstance[] = [];
let tenant: HostileTenant;
const figures: string[] = [];

beforeAll(async () => {
  const env = {
    RATE_LIMIT_TOKEN_PER_MINUTE: String(LIMITS.token),
    RATE_LIMIT_SIGN_IN_PER_MINUTE: String(LIMITS.signIn),
    RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE: String(LIMITS.clientExchange),
    RATE_LIMIT_PORTAL_ENTER_PER_MINUTE: String(LIMITS.portalEnter),
  };
  instances = await Promise.all([1, 2].map((n) => startProductionInstance({ databaseUrl: process.env.DATABASE_URL!, name: `rate-limits-${n}`, env })));
  tenant = await seedTenant();
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  // Leave no spent bucket behind for the other files (they share this database and this IP).
  await clearRateLimits();
  if (figures.length) console.log(`[hostile] rate limits, requests alternating over 2 instances:\n  ${figures.join("\n  ")}`);
});

/**
 * Sends `limit + extra` requests alternately to instance 1 and 2 (starting from empty buckets) and checks that exactly
 * `limit` get through in total and every later one is 429 with an integer Retry-After of 1..60 s, on both instances.
 */
async function expectSharedLimit(name: string, limit: number, send: (instance: ProductionInstance, i: number) => Promise<Response>, allowedStatus: number, extra = 4) {
  await clearRateLimits();
  const answers: { instance: number; status: number; retryAfter: string | null }[] = [];
  for (let i = 0; i < limit + extra; i++) {
    const instance = i % 2;
    const response = await send(instances[instance]!, i);
    await response.arrayBuffer();
    answers.push({ instance: instance + 1, status: response.status, retryAfter: response.headers.get("retry-after") });
  }
  const allowed = answers.slice(0, limit);
  const refused = answers.slice(limit);
  expect(allowed.map((a) => a.status), `${name}: the first ${limit} requests (both instances together) get through`).toEqual(Array(limit).fill(allowedStatus));
  expect(refused.map((a) => a.status), `${name}: every request over the limit is 429, on either instance`).toEqual(Array(extra).fill(429));
  expect(new Set(refused.map((a) => a.instance))).toEqual(new Set([1, 2]));
  for (const { retryAfter } of refused) {
    expect(retryAfter, `${name}: Retry-After is whole seconds`).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  }
  const per = (list: typeof answers, n: number) => list.filter((a) => a.instance === n).length;
  figures.push(
    `${name}: limit ${limit}/min; ${answers.length} sent; allowed ${allowed.length} (instance 1: ${per(allowed, 1)}, instance 2: ${per(allowed, 2)}) ` +
      `then 429 × ${refused.length} (instance 1: ${per(refused, 1)}, instance 2: ${per(refused, 2)}), Retry-After ${[...new Set(refused.map((a) => a.retryAfter))].join("/")} s`,
  );
  return answers;
}

describe("rate limits shared by two instances", () => {
  it("limits POST /oauth/token per client and IP, and not other clients", async () => {
    const { clientId, clientSecret } = tenant.oauthClient;
    await expectSharedLimit("POST /oauth/token", LIMITS.token, (instance) => requestToken(instance.url, clientId, clientSecret, "groups:read"), 200);
    // The key is client + IP: another client from the same IP still gets its tokens.
    const other = await seedTenant();
    expect((await requestToken(instances[1]!.url, other.oauthClient.clientId, other.oauthClient.clientSecret, "groups:read")).status).toBe(200);
  });

  it("limits failed client authentications at POST /oauth/token per IP, whichever client_id each names", async () => {
    const { clientId, clientSecret } = tenant.oauthClient;
    await expectSharedLimit(
      "POST /oauth/token (failed authentications)",
      LIMITS.token,
      (instance, i) =>
        fetch(`${instance.url}/oauth/token`, {
          method: "POST",
          headers: { authorization: basicAuth(i % 2 ? `made-up-${i}` : clientId, `${clientSecret}x`), "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials",
        }),
      401,
    );
  });

  it("limits POST /auth/client per IP", async () => {
    const { clientId, clientSecret } = tenant.oauthClient;
    await expectSharedLimit(
      "POST /auth/client",
      LIMITS.clientExchange,
      (instance) => fetch(`${instance.url}/auth/client`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }) }),
      201,
    );
  });

  it("limits GET /portal/enter/{token} per IP, even for a valid link", async () => {
    await expectSharedLimit("GET /portal/enter/{token}", LIMITS.portalEnter, (instance) => fetch(`${instance.url}/portal/enter/${tenant.portal.linkSecret}`, { redirect: "manual" }), 303);
  });

  it("limits sign-in starts (POST /api/auth/signin/{provider}) and callbacks per IP", async () => {
    // A browser's sign-in: the CSRF token from GET /api/auth/csrf (unlimited) with its cookie, then the POST.
    const csrf = await Promise.all(
      instances.map(async (instance) => {
        const response = await fetch(`${instance.url}/api/auth/csrf`);
        const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
        return { cookie, token: ((await response.json()) as { csrfToken: string }).csrfToken };
      }),
    );
    await expectSharedLimit(
      "POST /api/auth/signin/google",
      LIMITS.signIn,
      (instance, i) =>
        fetch(`${instance.url}/api/auth/signin/google`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf[i % 2]!.cookie },
          body: new URLSearchParams({ csrfToken: csrf[i % 2]!.token, callbackUrl: "/start" }),
        }),
      302,
    );
    // OAuth callbacks count in the same per-IP bucket, on either instance.
    const callback = await fetch(`${instances[1]!.url}/api/auth/callback/google?code=x&state=y`, { redirect: "manual" });
    expect(callback.status).toBe(429);
    expect(callback.headers.get("retry-after")).toMatch(/^\d+$/);
    // Reading the session or the CSRF token is not limited.
    expect((await fetch(`${instances[0]!.url}/api/auth/csrf`)).status).toBe(200);
  });

  it("counts and audits the TCP peer, not an X-Forwarded-For the client wrote (TRUSTED_PROXY_HOPS=0), and a portal browser over the limit gets a page", async () => {
    await clearRateLimits();
    const since = new Date();
    const responses: Response[] = [];
    // Each request claims another address: if the header were trusted, every one would have its own fresh budget.
    for (let i = 0; i <= LIMITS.portalEnter; i++) {
      responses.push(await fetch(`${instances[0]!.url}/portal/enter/gpl_not-a-link`, { redirect: "manual", headers: { "x-forwarded-for": `6.6.6.${i}`, accept: "text/html" } }));
    }
    const last = responses.at(-1)!;
    expect(last.status, "the spoofed addresses shared one budget").toBe(429);
    expect(last.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await last.text()).toContain("Too many attempts");
    await expect
      .poll(async () => (await db.auditEvent.findMany({ where: { action: "portal.enter_rate_limited", occurredAt: { gte: since } }, select: { ip: true } })).map((e) => e.ip))
      .toEqual([expect.stringMatching(/^(::1|127\.0\.0\.1|::ffff:127\.0\.0\.1)$/)]);
  });
});
