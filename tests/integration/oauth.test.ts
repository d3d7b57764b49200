import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import * as oauth from "oauth4webapi";
import { SignJWT, generateKeyPair, createRemoteJWKSet, jwtVerify, decodeJwt, UnsecuredJWT } from "jose";
import { resetConfigForTests } from "@/lib/config";
import { flushRateLimitCounts } from "@/lib/rate-limit/rate-limit";
import { db } from "@/lib/db";
import { createOAuthClientAsAdmin, disableOAuthClientAsAdmin, rotateOAuthClientSecretAsAdmin } from "@/lib/oauth/clients";
import { rotateSigningKeys, clearSigningKeyCache } from "@/lib/oauth/signing-keys";
import { createPartner, createUser } from "./support";
import { ServiceTokenManager } from "@/lib/oauth/service-token-manager";
import { startTestApp, type TestApp } from "./http-app";

let app: TestApp;
let issuer: URL;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  app = await startTestApp();
  issuer = new URL(app.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", [oauth.allowInsecureRequests]: true }));
});
afterAll(async () => {
  await app?.close();
});

async function registerClient(scopes = "groups:read members:read", partnerId?: string) {
  const partner = partnerId ?? (await createPartner()).id;
  const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Chat service", partner_id: partner, scopes }, systemAdminActor());
  return { partnerId: partner, client, clientId: client.clientId, clientSecret };
}

async function tokenWith(clientId: string, clientSecret: string, parameters: Record<string, string> = {}) {
  const response = await oauth.clientCredentialsGrantRequest(as, { client_id: clientId }, oauth.ClientSecretBasic(clientSecret), new URLSearchParams(parameters), { [oauth.allowInsecureRequests]: true });
  return oauth.processClientCredentialsResponse(as, { client_id: clientId }, response);
}

async function post(path: string, body: string | URLSearchParams, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: typeof body === "string" ? body : body.toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("authorization server (conformance with oauth4webapi)", () => {
  it("publishes RFC 8414 metadata that a standard client accepts", () => {
    expect(as.issuer).toBe(app.url);
    expect(as.token_endpoint).toBe(`${app.url}/oauth/token`);
    expect(as.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post", "none"]);
    expect(as.grant_types_supported).toEqual(["authorization_code", "refresh_token", "client_credentials"]);
    // What MCP clients need (MCP authorization 2025-11-25; the SDK refuses metadata without authorization_endpoint).
    expect(as.authorization_endpoint).toBe(`${app.url}/oauth/authorize`);
    expect(as.registration_endpoint).toBe(`${app.url}/oauth/register`);
    expect(as.response_types_supported).toEqual(["code"]);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect((as as Record<string, unknown>).client_id_metadata_document_supported).toBe(true);
  });

  it("issues an RFC 9068 JWT with client_secret_basic, verifiable against the JWKS", async () => {
    const { clientId, clientSecret, partnerId } = await registerClient();
    const result = await tokenWith(clientId, clientSecret);
    expect(result).toMatchObject({ token_type: "bearer", expires_in: 900, scope: "groups:read members:read" });
    const { payload, protectedHeader } = await jwtVerify(result.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: app.url, audience: `${app.url}/api` });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: clientId, client_id: clientId, org_id: partnerId, scope: "groups:read members:read" });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts client_secret_post, narrows scope, and honours an RFC 8707 resource", async () => {
    const { clientId, clientSecret } = await registerClient("groups:read members:read mcp:tools");
    const response = await post("/oauth/token", new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope: "mcp:tools", resource: `${app.url}/api/mcp` }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.json).toMatchObject({ scope: "mcp:tools", token_type: "Bearer" });
    expect(decodeJwt(String(response.json!.access_token)).aud).toBe(`${app.url}/api/mcp`);
  });

  it("introspects its own tenant's tokens (RFC 7662) and reports others as inactive", async () => {
    const mine = await registerClient();
    const sameTenant = await registerClient("groups:read", mine.partnerId);
    const stranger = await registerClient();
    const { access_token } = await tokenWith(mine.clientId, mine.clientSecret);
    const active = await post("/oauth/introspect", new URLSearchParams({ token: access_token }), { authorization: basic(sameTenant.clientId, sameTenant.clientSecret) });
    expect(active.json).toMatchObject({ active: true, client_id: mine.clientId, org_id: mine.partnerId, scope: "groups:read members:read" });
    const foreign = await post("/oauth/introspect", new URLSearchParams({ token: access_token }), { authorization: basic(stranger.clientId, stranger.clientSecret) });
    expect(foreign.json).toEqual({ active: false });
    expect((await post("/oauth/introspect", new URLSearchParams({ token: "garbage" }), { authorization: basic(mine.clientId, mine.clientSecret) })).json).toEqual({ active: false });
  });
});

describe("token endpoint errors (RFC 6749 §5.2)", () => {
  it("answers invalid_client with WWW-Authenticate: Basic for a wrong secret, an unknown client and a disabled client, alike", async () => {
    const { clientId, clientSecret, client } = await registerClient();
    // Change the last character (to one it is not: a secret ending in "x" made this flaky).
    const wrongSecret = clientSecret.slice(0, -1) + (clientSecret.endsWith("x") ? "y" : "x");
    const wrong = await post("/oauth/token", "grant_type=client_credentials", { authorization: basic(clientId, wrongSecret) });
    const unknown = await post("/oauth/token", "grant_type=client_credentials", { authorization: basic("gc_unknown", clientSecret) });
    await disableOAuthClientAsAdmin(client.id, systemAdminActor());
    const disabled = await post("/oauth/token", "grant_type=client_credentials", { authorization: basic(clientId, clientSecret) });
    for (const r of [wrong, unknown, disabled]) {
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Basic realm="gatehouse"');
      expect(r.json).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
    }
  });

  it("answers the RFC's code for each malformed request, never 500", async () => {
    const { clientId, clientSecret } = await registerClient();
    const auth = { authorization: basic(clientId, clientSecret) };
    const cases: [string, string | URLSearchParams, Record<string, string>, number, string][] = [
      ["missing grant_type", "", auth, 400, "invalid_request"],
      ["unsupported grant", "grant_type=password&username=a&password=b", auth, 400, "unsupported_grant_type"],
      ["scope outside the client's", "grant_type=client_credentials&scope=groups:write", auth, 400, "invalid_scope"],
      ["unknown scope", "grant_type=client_credentials&scope=admin", auth, 400, "invalid_scope"],
      ["duplicate parameter", "grant_type=client_credentials&scope=groups:read&scope=members:read", auth, 400, "invalid_request"],
      ["two auth methods", `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`, auth, 400, "invalid_request"],
      ["over-long value", `grant_type=client_credentials&scope=${"a".repeat(5000)}`, auth, 400, "invalid_request"],
      ["unknown resource", `grant_type=client_credentials&resource=https://evil.example/api`, auth, 400, "invalid_target"],
      ["no credentials", "grant_type=client_credentials", {}, 401, "invalid_client"],
    ];
    for (const [name, body, headers, status, error] of cases) {
      const response = await post("/oauth/token", body, headers);
      expect({ name, status: response.status, error: response.json?.error }).toEqual({ name, status, error });
    }
    const json = await fetch(`${app.url}/oauth/token`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials" }) });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("the chat-service scenario: a service checks group membership before storing a message", () => {
  it("reads a group, sees Bob and Carol are members, and cannot see another tenant's group", async () => {
    const partner = await createPartner();
    const bob = await createUser({ partnerId: partner.id, email: `bob-${partner.id}@example.test` });
    const carol = await createUser({ partnerId: partner.id, email: `carol-${partner.id}@example.test` });
    const dave = await createUser({ partnerId: partner.id });
    const writer = await registerClient("groups:read groups:write members:read members:write", partner.id);
    const { access_token: adminToken } = await tokenWith(writer.clientId, writer.clientSecret);

    const created = await fetch(`${app.url}/api/auth/groups`, { method: "POST", headers: { ...bearer(adminToken), "content-type": "application/json" }, body: JSON.stringify({ name: "Support chat" }) });
    expect(created.status).toBe(201);
    const group = (await created.json()) as { id: string };
    for (const user of [bob, carol]) {
      const added = await fetch(`${app.url}/api/auth/groups/${group.id}/members`, { method: "POST", headers: { ...bearer(adminToken), "content-type": "application/json" }, body: JSON.stringify({ user_id: user.id }) });
      expect(added.status).toBe(201);
    }

    const chat = await registerClient("groups:read members:read", partner.id);
    const { access_token } = await tokenWith(chat.clientId, chat.clientSecret);
    const read = await fetch(`${app.url}/api/auth/groups/${group.id}`, { headers: bearer(access_token) });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: group.id, name: "Support chat", member_count: 2 });
    for (const user of [bob, carol]) {
      const check = await fetch(`${app.url}/api/auth/groups/${group.id}/members/${user.id}`, { headers: bearer(access_token) });
      expect(check.status).toBe(200);
      expect(await check.json()).toMatchObject({ member: true, user_id: user.id });
    }
    expect((await fetch(`${app.url}/api/auth/groups/${group.id}/members/${dave.id}`, { headers: bearer(access_token) })).status).toBe(404);

    const other = await registerClient("groups:read groups:write members:read", undefined);
    const { access_token: otherToken } = await tokenWith(other.clientId, other.clientSecret);
    const otherGroup = (await (await fetch(`${app.url}/api/auth/groups`, { method: "POST", headers: { ...bearer(otherToken), "content-type": "application/json" }, body: JSON.stringify({ name: "Their group" }) })).json()) as { id: string };
    expect((await fetch(`${app.url}/api/auth/groups/${otherGroup.id}`, { headers: bearer(access_token) })).status).toBe(404);
    expect((await fetch(`${app.url}/api/auth/groups/${otherGroup.id}/members/${bob.id}`, { headers: bearer(access_token) })).status).toBe(404);
    const list = (await (await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) })).json()) as { groups: { id: string }[] };
    expect(list.groups.map((g) => g.id)).toEqual([group.id]);
  });

  it("answers 403 insufficient_scope naming the scope, and 401 invalid_token for missing and bad tokens", async () => {
    const reader = await registerClient("groups:read");
    const { access_token } = await tokenWith(reader.clientId, reader.clientSecret);
    const write = await fetch(`${app.url}/api/auth/groups`, { method: "POST", headers: { ...bearer(access_token), "content-type": "application/json" }, body: JSON.stringify({ name: "x" }) });
    expect(write.status).toBe(403);
    expect(write.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(write.headers.get("www-authenticate")).toContain('scope="groups:write"');
    expect(await write.json()).toMatchObject({ error: "insufficient_scope", scope: "groups:write" });

    const missing = await fetch(`${app.url}/api/auth/groups`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    const garbage = await fetch(`${app.url}/api/auth/groups`, { headers: bearer("not.a.token") });
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

describe("hostile tokens are refused with invalid_token", () => {
  async function refused(token: string) {
    const response = await fetch(`${app.url}/api/auth/groups`, { headers: bearer(token) });
    return { status: response.status, challenge: response.headers.get("www-authenticate") };
  }

  it("refuses alg none, a key Gatehouse never published, and a genuine token for another audience", async () => {
    const { clientId, clientSecret, partnerId } = await registerClient();
    const genuine = decodeJwt((await tokenWith(clientId, clientSecret)).access_token);
    const claims = { client_id: clientId, org_id: partnerId, scope: "groups:read", jti: crypto.randomUUID() };
    const none = new UnsecuredJWT(claims).setIssuer(app.url).setAudience(`${app.url}/api`).setSubject(clientId).setIssuedAt().setExpirationTime("5m").encode();
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const sign = (overrides: { iss?: string; aud?: string; exp?: number; kid?: string }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: overrides.kid ?? "unknown-kid" })
        .setIssuer(overrides.iss ?? app.url)
        .setAudience(overrides.aud ?? `${app.url}/api`)
        .setSubject(clientId)
        .setIssuedAt()
        .setExpirationTime(overrides.exp ?? Math.floor(Date.now() / 1000) + 300)
        .sign(privateKey);
    expect(await refused(none)).toMatchObject({ status: 401 });
    expect(await refused(await sign({}))).toMatchObject({ status: 401 });
    expect((await refused(await sign({}))).challenge).toContain('error="invalid_token"');

    // Genuinely signed by Gatehouse, but for the MCP resource: not valid at the groups API.
    const mcpClient = await registerClient("groups:read mcp:tools", partnerId);
    const mcpToken = (await tokenWith(mcpClient.clientId, mcpClient.clientSecret, { resource: `${app.url}/api/mcp` })).access_token;
    expect(await refused(mcpToken)).toMatchObject({ status: 401 });
    expect(genuine.iss).toBe(app.url);
  });

  it("refuses an expired token with 'expired' in the challenge", async () => {
    const partner = await createPartner();
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Short", partner_id: partner.id, scopes: "groups:read", access_token_ttl: 60 }, systemAdminActor());
    const { access_token } = await tokenWith(client.clientId, clientSecret);
    const exp = decodeJwt(access_token).exp!;
    vi.useFakeTimers({ toFake: ["Date"], now: (exp + 10) * 1000 }); // the app's clock moves past expiry
    try {
      const response = await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error_description="The access token expired."');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("revocation and rotation", () => {
  it("rejects a revoked token on its next use (RFC 7009), and revocation by another client changes nothing", async () => {
    const { clientId, clientSecret, partnerId } = await registerClient();
    const other = await registerClient("groups:read", partnerId);
    const { access_token } = await tokenWith(clientId, clientSecret);
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) })).status).toBe(200);

    const foreign = await post("/oauth/revoke", new URLSearchParams({ token: access_token }), { authorization: basic(other.clientId, other.clientSecret) });
    expect(foreign.status).toBe(200);
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) })).status).toBe(200);

    const revoked = await post("/oauth/revoke", new URLSearchParams({ token: access_token, token_type_hint: "access_token" }), { authorization: basic(clientId, clientSecret) });
    expect(revoked.status).toBe(200);
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) })).status).toBe(401);
    expect((await post("/oauth/introspect", new URLSearchParams({ token: access_token }), { authorization: basic(clientId, clientSecret) })).json).toEqual({ active: false });
    expect((await post("/oauth/revoke", new URLSearchParams({ token: "not-a-token" }), { authorization: basic(clientId, clientSecret) })).status).toBe(200);
  });

  it("stops a disabled client's tokens and a rotated secret's old value at once", async () => {
    const { clientId, clientSecret, client } = await registerClient();
    const { access_token } = await tokenWith(clientId, clientSecret);
    const { clientSecret: newSecret } = await rotateOAuthClientSecretAsAdmin(client.id, systemAdminActor());
    expect((await post("/oauth/token", "grant_type=client_credentials", { authorization: basic(clientId, clientSecret) })).status).toBe(401);
    expect((await tokenWith(clientId, newSecret)).access_token).toBeTruthy();
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) })).status).toBe(200);
    await disableOAuthClientAsAdmin(client.id, systemAdminActor());
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(access_token) })).status).toBe(401);
  });

  it("publishes a new key before it signs, and keeps the old one until its tokens expire", async () => {
    const { clientId, clientSecret } = await registerClient();
    const before = await tokenWith(clientId, clientSecret);
    const oldKid = (JSON.parse(Buffer.from(before.access_token.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;

    const { kid: newKid } = await rotateSigningKeys({ activateInSeconds: 3600 });
    const published = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    const stillOld = await tokenWith(clientId, clientSecret);
    expect((JSON.parse(Buffer.from(stillOld.access_token.split(".")[0]!, "base64url").toString()) as { kid: string }).kid).toBe(oldKid);

    await rotateSigningKeys({ activateInSeconds: 0 });
    clearSigningKeyCache();
    const after = await tokenWith(clientId, clientSecret);
    const afterKid = (JSON.parse(Buffer.from(after.access_token.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
    expect(afterKid).not.toBe(oldKid);
    // Tokens signed by the retired key still verify until they expire.
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(before.access_token) })).status).toBe(200);
    expect((await fetch(`${app.url}/api/auth/groups`, { headers: bearer(after.access_token) })).status).toBe(200);
    const jwks = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, afterKid]));
  });
});

describe("the service token manager against the running app", () => {
  it("gets, caches and uses a token, and recovers from revocation by retrying once", async () => {
    const { clientId, clientSecret } = await registerClient();
    const manager = new ServiceTokenManager({ tokenEndpoint: `${app.url}/oauth/token`, clientId, clientSecret, scope: "groups:read" });
    const first = await manager.getToken();
    expect(await manager.getToken()).toBe(first);
    expect((await manager.fetch(`${app.url}/api/auth/groups`)).status).toBe(200);
    await post("/oauth/revoke", new URLSearchParams({ token: first }), { authorization: basic(clientId, clientSecret) });
    const response = await manager.fetch(`${app.url}/api/auth/groups`);
    expect(response.status).toBe(200);
    expect(await manager.getToken()).not.toBe(first);
  });
});

describe("token endpoint rate limit", () => {
  it("limits an authenticated client per IP with 429 + Retry-After, counting other clients separately", async () => {
    process.env.RATE_LIMIT_TOKEN_PER_MINUTE = "3";
    resetConfigForTests();
    try {
      const limited = await registerClient();
      const other = await registerClient();
      const form = new URLSearchParams({ grant_type: "client_credentials" });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post("/oauth/token", form, { authorization: basic(limited.clientId, limited.clientSecret) })).status);
      expect(statuses).toEqual([200, 200, 200]);

      const refused = await post("/oauth/token", form, { authorization: basic(limited.clientId, limited.clientSecret) });
      expect(refused.status).toBe(429);
      expect(refused.json).toMatchObject({ error: "rate_limited" });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect((await post("/oauth/token", form, { authorization: basic(other.clientId, other.clientSecret) })).status).toBe(200);
      await expect.poll(() => db.auditEvent.count({ where: { action: "oauth.token_rate_limited", occurredAt: { gte: new Date(Date.now() - 60_000) } } })).toBe(1);
    } finally {
      delete process.env.RATE_LIMIT_TOKEN_PER_MINUTE;
      resetConfigForTests();
    }
  });

  it("limits failed client authentications per IP whatever client_id they name, without spending a real client's budget", async () => {
    await flushRateLimitCounts(); // hits of earlier tests still counted in memory would count in this window too
    await db.rateLimitBucket.deleteMany();
    process.env.RATE_LIMIT_TOKEN_PER_MINUTE = "3";
    resetConfigForTests();
    try {
      const victim = await registerClient();
      const form = new URLSearchParams({ grant_type: "client_credentials" });
      const guesses = [basic(victim.clientId, "gcs_wrong"), basic("made-up-1", "gcs_x"), basic("made-up-2", "gcs_y"), basic(victim.clientId, "gcs_again"), basic("made-up-3", "gcs_z")];
      const statuses: number[] = [];
      for (const authorization of guesses) statuses.push((await post("/oauth/token", form, { authorization })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // The guesses did not touch the real client's own budget.
      expect((await post("/oauth/token", form, { authorization: basic(victim.clientId, victim.clientSecret) })).status).toBe(200);
    } finally {
      delete process.env.RATE_LIMIT_TOKEN_PER_MINUTE;
      resetConfigForTests();
      await db.rateLimitBucket.deleteMany();
    }
  });
});

describe("text PostgreSQL cannot store", () => {
  it("answers a NUL byte in client credentials with 400 invalid_request, never a 500", async () => {
    for (const body of ["grant_type=client_credentials&client_id=%00&client_secret=x", "grant_type=client_credentials&client_id=a%00b&client_secret=gcs_%00"]) {
      const response = await post("/oauth/token", body);
      expect(response.status, body).toBe(400);
      expect(response.json).toMatchObject({ error: "invalid_request" });
    }
    const viaBasic = await post("/oauth/token", "grant_type=client_credentials", { authorization: `Basic ${Buffer.from("a\u0000b:c").toString("base64")}` });
    expect(viaBasic.status).toBe(400);
    const exchange = await fetch(`${app.url}/auth/client`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: "a\u0000", client_secret: "b" }) });
    expect(exchange.status).toBe(400);
    expect(await exchange.json()).toMatchObject({ error: "invalid_request" });
  });
});
