/**
 * Two `next start` instances on one database (issue 7, "Two instances" and "Logs never contain a raw secret").
 *
 * Each credential is used on instance 2 (so any per-process cache there is warm), revoked on instance 1 through the
 * product's own HTTP surface, and instance 2 must refuse it on its very next request. Both instances log at `debug`
 * to files; the last test uses every secret the file issued in wrong and misplaced ways too, then greps the logs.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAccessLink } from "@/lib/portal/clients";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { createUser } from "../integration/support.ts";
import { HOSTILE_APP_URL, startProductionInstance, type ProductionInstance } from "./support/production.ts";
import { accessToken, requestToken, basicAuth, callServerAction, enterPortalCookie, mcpInitialize, secretNeedles, secureSessionCookie, seedTenant, type HostileTenant } from "./support/seed.ts";

let one: ProductionInstance;
let two: ProductionInstance;
let tenant: HostileTenant;
/** Every raw secret this file issued, by what it is, for the log scan. */
const issued: { label: string; value: string }[] = [];
/** One line per revocation checked, printed at the end. */
const checked: string[] = [];

const remember = (label: string, value: string) => {
  issued.push({ label, value });
  return value;
};

beforeAll(async () => {
  const env = { LOG_LEVEL: "debug" };
  [one, two] = await Promise.all([
    startProductionInstance({ databaseUrl: process.env.DATABASE_URL!, name: "instances-1", env }),
    startProductionInstance({ databaseUrl: process.env.DATABASE_URL!, name: "instances-2", env }),
  ]);
  tenant = await seedTenant();
  remember("OAuth client secret", tenant.oauthClient.clientSecret);
  remember("API key", tenant.apiKey.secret);
  remember("portal link", tenant.portal.linkSecret);
  remember("member session token", tenant.sessionToken);
  remember("admin session token", tenant.adminCookie.split("=")[1]!);
});

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  if (checked.length) console.log(`[hostile] two instances (${one?.url} revokes, ${two?.url} must refuse):\n  ${checked.join("\n  ")}`);
});

const groupRead = (instance: ProductionInstance, token: string, groupId = tenant.groupId) => fetch(`${instance.url}/api/auth/groups/${groupId}`, { headers: { authorization: `Bearer ${token}` } });
const portalProjects = (instance: ProductionInstance, cookie: string) => fetch(`${instance.url}/portal/api/projects`, { headers: { cookie } });
const partnerMe = (instance: ProductionInstance) => fetch(`${instance.url}/api/partner/me`, { headers: { cookie: tenant.memberCookie } });

/** Asserts the statuses of instance 2's last use before and first use after a revocation, and records the line. */
function recordRevocation(what: string, before: number, after: number, expected: number) {
  expect(before, `${what}: instance 2 before revocation`).toBe(200);
  expect(after, `${what}: instance 2 right after revocation on instance 1`).toBe(expected);
  checked.push(`${what}: instance 2 ${before} before → ${after} after`);
}

describe("two instances on one database", () => {
  it("refuses an OAuth access token on instance 2 right after it is revoked on instance 1 (RFC 7009)", async () => {
    const token = remember("access token", await accessToken(two.url, tenant.oauthClient.clientId, tenant.oauthClient.clientSecret, "groups:read"));
    await groupRead(two, token);
    const before = (await groupRead(two, token)).status;
    const revoke = await fetch(`${one.url}/oauth/revoke`, {
      method: "POST",
      headers: { authorization: basicAuth(tenant.oauthClient.clientId, tenant.oauthClient.clientSecret), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, token_type_hint: "access_token" }),
    });
    expect(revoke.status).toBe(200);
    const after = await groupRead(two, token);
    expect(after.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    recordRevocation("access token (GET /api/auth/groups/{id})", before, after.status, 401);
  });

  it("refuses an API key on instance 2 right after its owner revokes it on instance 1", async () => {
    const headers = { authorization: `Bearer ${tenant.apiKey.secret}` };
    await mcpInitialize(two.url, headers);
    const before = (await mcpInitialize(two.url, headers)).status;
    const revoke = await fetch(`${one.url}/api/auth/api-keys/${tenant.apiKey.id}`, { method: "DELETE", headers: { cookie: tenant.memberCookie, origin: HOSTILE_APP_URL } });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toMatchObject({ id: tenant.apiKey.id, status: "revoked" });
    const after = (await mcpInitialize(two.url, headers)).status;
    recordRevocation("API key (MCP initialize at /api/mcp)", before, after, 401);
  });

  it("refuses a disabled OAuth client on instance 2 right after an admin disables it on instance 1 (token endpoint and its tokens)", async () => {
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Instances client", partner_id: tenant.partnerId, scopes: "groups:read" }, systemAdminActor());
    remember("OAuth client secret (disabled client)", clientSecret);
    // Instance 2 has authenticated the client (its client cache is warm) and issued a token it has verified.
    await requestToken(two.url, client.clientId, clientSecret, "groups:read");
    const token = await accessToken(two.url, client.clientId, clientSecret, "groups:read");
    await groupRead(two, token);
    const before = (await requestToken(two.url, client.clientId, clientSecret, "groups:read")).status;
    const disable = await fetch(`${one.url}/api/admin/oauth/clients/${client.id}/disable`, { method: "POST", headers: { cookie: tenant.adminCookie, origin: HOSTILE_APP_URL } });
    expect(disable.status).toBe(200);
    const after = await requestToken(two.url, client.clientId, clientSecret, "groups:read");
    expect(await after.json()).toMatchObject({ error: "invalid_client" });
    recordRevocation("OAuth client disabled → POST /oauth/token", before, after.status, 401);
    recordRevocation("OAuth client disabled → its access token (GET /api/auth/groups/{id})", 200, (await groupRead(two, token)).status, 401);
  });

  it("ends a portal session on instance 2 right after its link is revoked on instance 1 (server action)", async () => {
    const cookie = remember("portal cookie", await enterPortalCookie(two.url, tenant.portal.linkSecret));
    await portalProjects(two, cookie);
    const before = (await portalProjects(two, cookie)).status;
    const revoke = await callServerAction(one.url, {
      page: "/partner/clients",
      file: "app/(main)/partner/clients/actions.ts",
      action: "revokeLinkAction",
      fields: { accessTokenId: tenant.portal.linkId },
      cookie: tenant.memberCookie,
    });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toContain('"ok":true');
    const after = (await portalProjects(two, cookie)).status;
    recordRevocation("portal link (GET /portal/api/projects with its cookie)", before, after, 401);
    expect((await fetch(`${two.url}/portal/enter/${tenant.portal.linkSecret}`, { redirect: "manual" })).status).toBe(403);
  });

  it("shuts a removed member out of instance 2 (session and API key) right after an owner removes them on instance 1", async () => {
    const colleague = await createUser({ partnerId: tenant.partnerId });
    const session = await secureSessionCookie(colleague.id);
    remember("removed member session token", session.token);
    const { apiKey } = await createApiKey(tenant.partnerId, colleague.id, { name: "removed member's key", scopes: ["partner:read"] }, { type: "user", id: colleague.id });
    remember("removed member API key", apiKey);
    const viaCookie = () => fetch(`${two.url}/api/partner/me`, { headers: { cookie: session.cookie } });
    const viaKey = () => fetch(`${two.url}/api/partner/me`, { headers: { "x-api-key": apiKey } });
    const before = [(await viaCookie()).status, (await viaKey()).status];
    const removal = await fetch(`${one.url}/api/partner/members/${colleague.id}`, { method: "DELETE", headers: { cookie: tenant.memberCookie, origin: HOSTILE_APP_URL } });
    expect(removal.status).toBe(200);
    expect(await removal.json()).toEqual({ removed: colleague.id, sessions_ended: 1, api_keys_revoked: 1 });
    recordRevocation("member removed → their session (GET /api/partner/me)", before[0]!, (await viaCookie()).status, 401);
    recordRevocation("member removed → their API key (GET /api/partner/me)", before[1]!, (await viaKey()).status, 401);
  });

  it("shuts a suspended partner out of instance 2 right after an admin suspends it on instance 1", async () => {
    // Fresh credentials of every kind, each used on instance 2 before the suspension.
    const token = remember("access token", await accessToken(two.url, tenant.oauthClient.clientId, tenant.oauthClient.clientSecret, "groups:read"));
    const key = remember("API key", (await createApiKey(tenant.partnerId, tenant.memberId, { name: "second", scopes: ["mcp:tools"] }, { type: "user", id: tenant.memberId })).apiKey);
    const link = await issueAccessLink(tenant.partnerId, tenant.portal.clientId, { label: "Second" }, { type: "user", id: tenant.memberId });
    const portalCookie = remember("portal cookie", await enterPortalCookie(two.url, remember("portal link", link.url.split("/portal/enter/")[1]!)));
    const uses = {
      // Suspension deletes the members' sessions (README: "ends every member session at once").
      "partner session (GET /api/partner/me)": { use: () => partnerMe(two), expected: 401 },
      "access token (GET /api/auth/groups/{id})": { use: () => groupRead(two, token), expected: 401 },
      "API key (MCP initialize)": { use: () => mcpInitialize(two.url, { "x-api-key": key }), expected: 401 },
      "portal session (GET /portal/api/projects)": { use: () => portalProjects(two, portalCookie), expected: 401 },
    };
    const before: Record<string, number> = {};
    for (const [what, { use }] of Object.entries(uses)) {
      await use();
      before[what] = (await use()).status;
    }
    const suspend = await fetch(`${one.url}/api/admin/partners/${tenant.partnerId}/suspend`, {
      method: "POST",
      headers: { cookie: tenant.adminCookie, origin: HOSTILE_APP_URL, "content-type": "application/json" },
      body: JSON.stringify({ reason: "Hostile suite: suspension across instances" }),
    });
    expect(suspend.status).toBe(200);
    expect(await suspend.json()).toMatchObject({ status: "suspended" });
    for (const [what, { use, expected }] of Object.entries(uses)) {
      recordRevocation(`partner suspended → ${what}`, before[what]!, (await use()).status, expected);
    }
  });
});

/**
 * The same secret with one character in the middle changed: well-formed enough to reach the checks, but wrong. (Not
 * the last character: in base64url the last one may carry only padding bits, so changing it may change nothing.)
 */
function wrongVariant(secret: string): string {
  const at = Math.floor(secret.length / 2);
  return `${secret.slice(0, at)}${secret[at] === "A" ? "B" : "A"}${secret.slice(at + 1)}`;
}

describe("logs", () => {
  it("never contain a raw secret the suite issued, used rightly or wrongly, in headers, query strings and bodies", async () => {
    // A fresh tenant: the first one is suspended now, and successful uses matter as much as failed ones.
    const fresh = await seedTenant();
    for (const [label, value] of [
      ["OAuth client secret", fresh.oauthClient.clientSecret],
      ["API key", fresh.apiKey.secret],
      ["portal link", fresh.portal.linkSecret],
      ["member session token", fresh.sessionToken],
    ] as const) remember(label, value);
    const id = fresh.oauthClient.clientId;
    const secret = fresh.oauthClient.clientSecret;
    const send = (instance: ProductionInstance, path: string, init: RequestInit = {}) => fetch(`${instance.url}${path}`, { redirect: "manual", ...init });
    const form = (fields: Record<string, string>) => ({ "content-type": "application/x-www-form-urlencoded", body: new URLSearchParams(fields) });

    // Successful uses on both instances.
    const token = remember("access token", await accessToken(one.url, id, secret, "groups:read mcp:tools"));
    const mcpToken = remember("access token (MCP resource)", ((await (await send(two, "/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "client_credentials", client_id: id, client_secret: secret, resource: `${HOSTILE_APP_URL}/api/mcp` }) })).json()) as { access_token: string }).access_token);
    expect((await groupRead(two, token, fresh.groupId)).status).toBe(200);
    expect((await mcpInitialize(one.url, { authorization: `Bearer ${mcpToken}` })).status).toBe(200);
    expect((await mcpInitialize(two.url, { "x-api-key": fresh.apiKey.secret })).status).toBe(200);
    const exchanged = await send(one, "/auth/client", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: id, client_secret: secret }) });
    expect(exchanged.status).toBe(201);
    const exchangedKey = remember("API key (from /auth/client)", ((await exchanged.json()) as { api_key: string }).api_key);
    expect((await mcpInitialize(two.url, { authorization: `Bearer ${exchangedKey}` })).status).toBe(200);
    const portalCookie = remember("portal cookie", await enterPortalCookie(one.url, fresh.portal.linkSecret));
    expect((await send(two, "/portal/api/projects", { headers: { cookie: portalCookie } })).status).toBe(200);
    expect((await send(one, "/api/partner/me", { headers: { cookie: fresh.memberCookie } })).status).toBe(200);
    // A portal link issued on instance 1 and e-mailed: delivery to the dead SMTP port fails and is logged.
    const issuedLink = await callServerAction(one.url, {
      page: "/partner/clients",
      file: "app/(main)/partner/clients/actions.ts",
      action: "issueLinkAction",
      fields: { clientId: fresh.portal.clientId, label: "Emailed", email: "contact@example.test" },
      cookie: fresh.memberCookie,
    });
    expect(issuedLink.status).toBe(200);
    const emailedLink = /gpl_[0-9A-Za-z]{49}/.exec(issuedLink.body)?.[0];
    expect(emailedLink, "the action answers the new link once").toBeDefined();
    remember("portal link (emailed)", emailedLink!);

    // Wrong and misplaced uses: one-character variants, secrets in query strings, bodies and odd headers.
    const wrongUses = (instance: ProductionInstance): Record<string, () => Promise<Response>> => ({
      "token, wrong secret (Basic)": () => send(instance, "/oauth/token", { method: "POST", headers: { authorization: basicAuth(id, wrongVariant(secret)), "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials" }),
      "token, wrong secret (body)": () => send(instance, "/oauth/token", { method: "POST", ...form({ grant_type: "client_credentials", client_id: id, client_secret: wrongVariant(secret) }) }),
      "token, secret in the query string": () => send(instance, `/oauth/token?client_secret=${secret}&grant_type=client_credentials&client_id=${id}`, { method: "POST" }),
      "/auth/client, wrong secret": () => send(instance, "/auth/client", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: id, client_secret: wrongVariant(secret) }) }),
      "/auth/client, secret in a text body": () => send(instance, "/auth/client", { method: "POST", headers: { "content-type": "text/plain" }, body: `client_secret=${secret}` }),
      "group read, tampered JWT": () => groupRead(instance, wrongVariant(token), fresh.groupId),
      "groups, JWT in the query string": () => send(instance, `/api/auth/groups?access_token=${token}`),
      "groups, JWT with a wrong scheme": () => send(instance, "/api/auth/groups", { headers: { authorization: `Token ${token}` } }),
      "MCP, wrong API key": () => mcpInitialize(instance.url, { "x-api-key": wrongVariant(fresh.apiKey.secret) }),
      "MCP, revoked API key": () => mcpInitialize(instance.url, { authorization: `Bearer ${tenant.apiKey.secret}` }),
      "MCP, API key in the query string": () => send(instance, `/api/mcp?api_key=${fresh.apiKey.secret}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      "portal, wrong link": () => send(instance, `/portal/enter/${wrongVariant(fresh.portal.linkSecret)}`),
      "portal, revoked link": () => send(instance, `/portal/enter/${tenant.portal.linkSecret}`),
      "portal API, tampered cookie": () => send(instance, "/portal/api/projects", { headers: { cookie: wrongVariant(portalCookie) } }),
      "partner API, wrong session cookie": () => send(instance, "/api/partner/me", { headers: { cookie: wrongVariant(fresh.memberCookie) } }),
      "API key create, foreign Origin, secret as the name": () => send(instance, "/api/auth/api-keys", { method: "POST", headers: { cookie: fresh.memberCookie, origin: "https://evil.example", "content-type": "application/json" }, body: JSON.stringify({ name: secret }) }),
      "sign-in, secrets as CSRF token and callback URLs": () =>
        send(instance, `/api/auth/signin/google?callbackUrl=${encodeURIComponent(`/partner?key=${fresh.apiKey.secret}`)}`, {
          method: "POST",
          ...form({ csrfToken: fresh.sessionToken, callbackUrl: `/x?t=${token}` }),
          headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${fresh.memberCookie}; ${portalCookie}` },
        }),
      "OAuth callback, secrets as code and state": () => send(instance, `/api/auth/callback/google?code=${secret}&state=${fresh.apiKey.secret}`, { headers: { cookie: fresh.memberCookie } }),
      "group create, broken JSON holding a JWT": () => send(instance, "/api/auth/groups", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: `{"name": "${mcpToken}", ` }),
    });
    const outcomes: string[] = [];
    for (const instance of [one, two]) {
      for (const [what, use] of Object.entries(wrongUses(instance))) outcomes.push(`${what} → ${(await use()).status}`);
    }
    expect(outcomes.filter((o) => /→ 5/.test(o)), "no wrong use may cause a 5xx").toEqual([]);
    expect(outcomes.filter((o) => /→ 2/.test(o)), "no wrong use may succeed").toEqual([]);

    // The logs: wait for the failed e-mail delivery (an anchor that proves the instances' own lines are captured).
    const logs = [one.logFile, two.logFile];
    const deadline = Date.now() + 10_000;
    while (!logs.some((file) => readFileSync(file, "utf8").includes("email delivery failed")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const text = logs.map((file) => (existsSync(file) ? readFileSync(file, "utf8") : "")).join("\n");
    expect(text, "the instances' pino lines are in the captured logs").toMatch(/"service":"gatehouse".*email delivery failed/);
    expect(text).toMatch(/sign-in failed|auth\.js warning/);
    const hits = issued.filter(({ value }) => secretNeedles(value).some((needle) => text.includes(needle)));
    expect(hits.map((h) => h.label), "secrets found in the logs").toEqual([]);
    console.log(
      `[hostile] log scan: ${Buffer.byteLength(text)} bytes in ${logs.length} files, ${text.split("\n").length} lines; ${issued.length} secrets checked ` +
        `(${[...new Set(issued.map((s) => s.label))].join(", ")}); ${outcomes.length} wrong or misplaced uses over 2 instances (all 4xx/3xx); 0 hits`,
    );
  });
});
