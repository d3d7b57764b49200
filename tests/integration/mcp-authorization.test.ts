/**
 * The MCP authorization spec (2025-11-25) flow for app clients, over real HTTP (tests/integration/http-app.ts) and
 * real PostgreSQL, with oauth4webapi as the standard client: RFC 7591 dynamic registration, Client ID Metadata
 * Documents (with their SSRF defences), authorization request validation (PKCE S256, RFC 8707 resource, RFC 9207
 * iss), the authorization code and refresh token grants (single-use codes, rotation, reuse detection), the MCP gate
 * with a person's token (and every way that token ends), the Origin rule, and RFC 7009 revocation.
 *
 * The consent page is a React page (covered by e2e); here the person's consent is what its server action does:
 * the member principal comes from the MEMBER_ACTION policy over a real session, then validateAuthorizationRequest
 * and approveAuthorization.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as oauth from "oauth4webapi";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { authorize, PolicyRefusalError, type MemberPrincipal } from "@/lib/auth/policy";
import { MEMBER_ACTION } from "@/lib/auth/policies";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { getConfig, resetConfigForTests } from "@/lib/config";
import { db } from "@/lib/db";
import { blockAppClientAsAdmin, createAppClientAsAdmin } from "@/lib/oauth/app-clients";
import {
  approveAuthorization,
  AuthorizationPageError,
  AuthorizationRedirectError,
  hasRememberedConsent,
  listOwnGrants,
  mayApproveWithoutAsking,
  mayRedirectWithoutAsking,
  revokeGrant,
  validateAuthorizationRequest,
  type AuthorizationParams,
} from "@/lib/oauth/authorization";
import { ClientMetadataError, fetchClientMetadataDocument } from "@/lib/oauth/client-metadata-document";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { signUserAccessToken } from "@/lib/oauth/tokens";
import { suspendPartnerAsAdmin } from "@/lib/partners/approval";
import { removeMember } from "@/lib/partners/team";
import { startTestApp, type TestApp } from "./http-app";
import { createPartner, createUser, sessionCookieFor, unique } from "./support";

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let app: TestApp;
let as: oauth.AuthorizationServer;
const INSECURE = { [oauth.allowInsecureRequests]: true } as const;
const savedRegistrationLimit = process.env.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR;

beforeAll(async () => {
  // Every test registers clients from the same (test) address; the rate-limit test sets its own low limit.
  process.env.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR = "100000";
  app = await startTestApp();
  const issuer = new URL(app.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...INSECURE }));
});
afterAll(async () => {
  await app?.close();
  if (savedRegistrationLimit === undefined) delete process.env.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR;
  else process.env.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR = savedRegistrationLimit;
  resetConfigForTests();
});

const mcpResource = () => `${app.url}/api/mcp`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
/** A TEST-NET-3 address of its own, so rate limits counted per IP do not mix between tests. */
/** A client address no other test uses (a per-IP rate limit counts across tests): IPv6 documentation space, 48 random bits. */
const uniqueIp = () => `2001:db8::${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}`;

async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function postForm(path: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(params).toString() });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** RFC 7591 registration over HTTP; returns the response body (throws unless 201). */
async function registerClient(metadata: Record<string, unknown> = {}) {
  const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
  const response = await postJson("/oauth/register", { client_name: unique("App"), redirect_uris: [redirectUri], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], ...metadata });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.json)}`);
  const body = response.json as { client_id: string; client_secret?: string; redirect_uris: string[] };
  const row = await db.appClient.findUniqueOrThrow({ where: { clientId: body.client_id }, select: { id: true } });
  return { clientId: body.client_id, clientSecret: body.client_secret, redirectUri: body.redirect_uris[0]!, rowId: row.id };
}
type RegisteredClient = Awaited<ReturnType<typeof registerClient>>;

/**
 * A member of an approved partner, as the consent form's server action sees them: the MEMBER_ACTION policy over a
 * real session cookie, posted from Gatehouse's own origin.
 */
async function memberPrincipalFor(userId: string): Promise<MemberPrincipal> {
  const cookie = await sessionCookieFor(userId);
  return authorize(MEMBER_ACTION, { headers: new Headers({ cookie, origin: app.url }), method: "POST" });
}

/** An approved partner with an owner and a member (the person who connects apps). */
async function partnerMember() {
  const partner = await createPartner();
  const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const user = await createUser({ partnerId: partner.id, partnerRole: "member" });
  return { partner, owner, user, member: await memberPrincipalFor(user.id) };
}

function authorizationParams(client: { clientId: string; redirectUri: string }, overrides: AuthorizationParams = {}, challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"): AuthorizationParams {
  return {
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    state: "state-123",
    scope: "mcp:tools",
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource: mcpResource(),
    ...overrides,
  };
}

/**
 * The person approves the app on the consent page: validate the request, approve it, and check the redirect as a
 * standard client does (RFC 9207 `iss`, `state`).
 */
async function consent(member: MemberPrincipal, client: { clientId: string; redirectUri: string }, options: { scope?: string } = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const request = await validateAuthorizationRequest(authorizationParams(client, { state, scope: options.scope ?? "mcp:tools" }, await oauth.calculatePKCECodeChallenge(verifier)));
  const location = await approveAuthorization(member, request, { ip: null });
  const callback = oauth.validateAuthResponse(as, { client_id: client.clientId }, new URL(location), state);
  return { verifier, state, location, callback };
}
type Consent = Awaited<ReturnType<typeof consent>>;

/** The code exchange as oauth4webapi sends it (with the RFC 8707 resource, as MCP clients must). */
function codeRequest(clientId: string, auth: oauth.ClientAuth, grant: Consent, options: { redirectUri: string; verifier?: string }) {
  return oauth.authorizationCodeGrantRequest(as, { client_id: clientId }, auth, grant.callback, options.redirectUri, options.verifier ?? grant.verifier, {
    ...INSECURE,
    additionalParameters: { resource: mcpResource() },
  });
}

async function exchange(client: RegisteredClient, grant: Consent, auth: oauth.ClientAuth = oauth.None()) {
  const response = await codeRequest(client.clientId, auth, grant, { redirectUri: client.redirectUri });
  return oauth.processAuthorizationCodeResponse(as, { client_id: client.clientId }, response);
}

async function refresh(clientId: string, refreshToken: string, options: { scope?: string; auth?: oauth.ClientAuth } = {}) {
  return oauth.refreshTokenGrantRequest(as, { client_id: clientId }, options.auth ?? oauth.None(), refreshToken, { ...INSECURE, ...(options.scope ? { additionalParameters: { scope: options.scope } } : {}) });
}

/** Reads an error response's status and RFC 6749 §5.2 body. */
async function errorOf(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A registered public app, a member who connected it, and the first tokens. */
async function connectedApp(options: { scope?: string } = {}) {
  const people = await partnerMember();
  const client = await registerClient();
  const grant = await consent(people.member, client, options);
  const tokens = await exchange(client, grant);
  const grantRow = await db.oAuthGrant.findUniqueOrThrow({ where: { userId_appClientId: { userId: people.user.id, appClientId: client.rowId } } });
  return { ...people, client, tokens, grantId: grantRow.id };
}

const INVALID_GRANT_REFRESH = { status: 400, body: { error: "invalid_grant", error_description: "The refresh token is not valid." } };

/** One JSON-RPC request to /api/mcp over Streamable HTTP; the answer parsed from JSON or from the SSE stream. */
async function mcp(headers: Record<string, string>, method = "tools/list", params: Record<string, unknown> = {}) {
  const response = await fetch(`${app.url}/api/mcp`, {
    method: "POST",
    headers: { accept: "application/json, text/event-stream", "content-type": "application/json", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const text = await response.text();
  let body: Record<string, unknown> | null = null;
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    const data = text.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).filter(Boolean);
    body = data.length ? (JSON.parse(data.at(-1)!) as Record<string, unknown>) : null;
  } else if (text) {
    body = JSON.parse(text) as Record<string, unknown>;
  }
  return { status: response.status, headers: response.headers, text, body };
}

const toolNames = (body: Record<string, unknown> | null) => ((body?.result as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((tool) => tool.name).sort();

/** The MCP endpoint's one 401 (lib/http/respond.ts), with its RFC 9728 challenge. */
async function expectMcpRefusal(token: string) {
  const response = await mcp(bearer(token));
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${app.url}/.well-known/oauth-protected-resource/api/mcp"`);
  expect(response.body).toEqual({ error: "Unauthorized", message: "Valid API key required. Use Authorization: Bearer mg_... or X-API-Key: mg_..." });
}

async function expectMcpWorks(token: string) {
  const response = await mcp(bearer(token));
  expect(response.status).toBe(200);
  expect(toolNames(response.body)).toContain("whoami");
}

/** Runs `fn` with the environment a production deployment would have (so allowPrivateClientMetadata is false). */
async function withProductionConfig<T>(fn: () => Promise<T>): Promise<T> {
  const overrides: Record<string, string | undefined> = {
    NODE_ENV: "production",
    AUTH_URL: "https://gatehouse.example.com",
    AUTH_SECRET: "a-production-auth-secret-of-at-least-32-characters",
    PORTAL_SESSION_PASSWORD: "a-production-portal-password-of-at-least-32-chars",
    SMTP_URL: "smtp://127.0.0.1:2525",
    INTEGRATION_MASTER_KEYS: Buffer.alloc(32, 9).toString("base64"),
    AUTH_GOOGLE_ID: "google-client",
    AUTH_GOOGLE_SECRET: "google-secret",
    LOCAL_IDP_URL: undefined,
    LOCAL_GITHUB_URL: undefined,
    GATEHOUSE_TEST_LOCAL_IDP: undefined,
    REQUIRE_MCP_AUTH: undefined,
    AUTH_MICROSOFT_ENTRA_ID_ID: undefined,
    AUTH_MICROSOFT_ENTRA_ID_SECRET: undefined,
    AUTH_GITHUB_ID: undefined,
    AUTH_GITHUB_SECRET: undefined,
  };
  const saved = Object.fromEntries(Object.keys(overrides).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(overrides);
  resetConfigForTests();
  try {
    return await fn();
  } finally {
    apply(saved);
    resetConfigForTests();
  }
}

/** A real HTTP server on 127.0.0.1 serving Client ID Metadata Documents; counts every connection and request. */
async function startMetadataServer() {
  const documents = new Map<string, unknown>();
  const seen = { connections: 0, requests: [] as string[] };
  const server = http.createServer((request, response) => {
    seen.requests.push(request.url ?? "");
    const document = documents.get(request.url ?? "");
    if (document === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=60" });
    response.end(JSON.stringify(document));
  });
  server.on("connection", () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    serve: (path: string, document: unknown) => documents.set(path, document),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Expects `promise` to reject with an AuthorizationPageError (shown, never redirected) and returns its message. */
async function pageError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthorizationPageError);
  expect(error).not.toBeInstanceOf(AuthorizationRedirectError);
  return (error as Error).message;
}

/** Expects `promise` to reject with an AuthorizationRedirectError and returns it. */
async function redirectError(promise: Promise<unknown>): Promise<AuthorizationRedirectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthorizationRedirectError);
  return error as AuthorizationRedirectError;
}

// ---------------------------------------------------------------------------------------------------------------

describe("RFC 7591 dynamic client registration (POST /oauth/register)", () => {
  it("registers a public client: 201, a ga_ client_id, its redirect_uris echoed, no secret, audited", async () => {
    const redirectUris = ["http://127.0.0.1:33418/callback", "https://app.example.com/oauth/callback", "cursor://anysphere.cursor-retrieval/oauth/callback"];
    const ip = uniqueIp();
    const response = await postJson("/oauth/register", { client_name: "Desktop assistant", redirect_uris: redirectUris, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }, { "x-forwarded-for": ip });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = response.json!;
    expect(body).toMatchObject({ client_name: "Desktop assistant", redirect_uris: redirectUris, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] });
    expect(body.client_id).toMatch(/^ga_[A-Za-z0-9_-]{20,}$/);
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("client_secret_expires_at");
    expect(Math.abs(Number(body.client_id_issued_at) - Date.now() / 1000)).toBeLessThan(60);

    const row = await db.appClient.findUniqueOrThrow({ where: { clientId: String(body.client_id) } });
    expect(row).toMatchObject({ registration: "dynamic", name: "Desktop assistant", redirectUris, tokenEndpointAuthMethod: "none", secretDigest: null, blockedAt: null });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "oauth.app_client_registered", targetId: row.id } });
    expect(audit).toMatchObject({ actorType: "anonymous", targetType: "app_client", ip, metadata: { clientId: body.client_id, registration: "dynamic", name: "Desktop assistant" } });
  });

  it("registers a confidential client_secret_basic client with a gas_ secret shown once and stored only as a digest", async () => {
    const response = await postJson("/oauth/register", { client_name: "Web app", redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "client_secret_basic" });
    expect(response.status).toBe(201);
    const body = response.json!;
    expect(body).toMatchObject({ token_endpoint_auth_method: "client_secret_basic", client_secret_expires_at: 0, grant_types: ["authorization_code"] });
    expect(body.client_secret).toMatch(/^gas_/);
    const row = await db.appClient.findUniqueOrThrow({ where: { clientId: String(body.client_id) } });
    expect(row.secretDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(String(body.client_secret));
  });

  it("is usable by oauth4webapi's registration client", async () => {
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(as, { redirect_uris: ["http://localhost:8765/cb"], token_endpoint_auth_method: "none", client_name: "oauth4webapi" }, INSECURE),
    );
    expect(client.client_id).toMatch(/^ga_/);
    expect(client.client_secret).toBeUndefined();
  });

  it("refuses unsafe redirect URIs with invalid_redirect_uri and bad metadata with invalid_client_metadata, registering nothing", async () => {
    const before = await db.appClient.count();
    const cases: [string, unknown, string][] = [
      ["javascript: URI", { redirect_uris: ["javascript:alert(document.cookie)"] }, "invalid_redirect_uri"],
      ["data: URI", { redirect_uris: ["data:text/html,<script>alert(1)</script>"] }, "invalid_redirect_uri"],
      ["http to a non-loopback host", { redirect_uris: ["http://evil.example/callback"] }, "invalid_redirect_uri"],
      ["a fragment", { redirect_uris: ["https://app.example.com/cb#frag"] }, "invalid_redirect_uri"],
      ["a relative URI", { redirect_uris: ["/callback"] }, "invalid_redirect_uri"],
      ["one bad among good ones", { redirect_uris: ["https://app.example.com/cb", "javascript:alert(1)"] }, "invalid_redirect_uri"],
      ["client_credentials", { redirect_uris: ["https://app.example.com/cb"], grant_types: ["client_credentials"] }, "invalid_client_metadata"],
      ["implicit", { redirect_uris: ["https://app.example.com/cb"], grant_types: ["implicit"] }, "invalid_client_metadata"],
      ["refresh_token alone", { redirect_uris: ["https://app.example.com/cb"], grant_types: ["refresh_token"] }, "invalid_client_metadata"],
      ["response_type token", { redirect_uris: ["https://app.example.com/cb"], response_types: ["token"] }, "invalid_client_metadata"],
      ["private_key_jwt", { redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "private_key_jwt" }, "invalid_client_metadata"],
      ["a JSON array", [], "invalid_client_metadata"],
    ];
    for (const [name, body, error] of cases) {
      const response = await postJson("/oauth/register", body);
      expect({ name, status: response.status, error: response.json?.error }).toEqual({ name, status: 400, error });
      expect(typeof response.json?.error_description).toBe("string");
      expect(response.json).not.toHaveProperty("client_id");
    }
    const notJson = await postJson("/oauth/register", "{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error: "invalid_client_metadata" });
    const formEncoded = await postForm("/oauth/register", { redirect_uris: "https://app.example.com/cb" });
    expect(formEncoded.status).toBe(400);
    expect(formEncoded.json).toMatchObject({ error: "invalid_client_metadata" });
    expect(await db.appClient.count()).toBe(before);
  });

  it("rate limits registrations per IP per hour: 429 with Retry-After, audited, other addresses unaffected", async () => {
    process.env.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR = "2";
    resetConfigForTests();
    try {
      const ip = uniqueIp();
      const other = `198.51.100.${1 + Math.floor(Math.random() * 254)}`;
      const body = { redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "none" };
      const statuses: number[] = [];
      for (let i = 0; i < 2; i++) statuses.push((await postJson("/oauth/register", body, { "x-forwarded-for": ip })).status);
      expect(statuses).toEqual([201, 201]);
      const refused = await postJson("/oauth/register", body, { "x-forwarded-for": ip });
      expect(refused.status).toBe(429);
      expect(refused.json).toMatchObject({ error: "rate_limited" });
      expect(refused.json).not.toHaveProperty("client_id");
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect((await postJson("/oauth/register", body, { "x-forwarded-for": other })).status).toBe(201);
      expect(await db.auditEvent.count({ where: { action: "oauth.app_client_registered", ip } })).toBe(2);
      await expect.poll(() => db.auditEvent.count({ where: { action: "oauth.registration_rate_limited", ip } })).toBe(1);
    } finally {
      process.env.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR = "100000";
      resetConfigForTests();
    }
  });
});

describe("Client ID Metadata Documents", () => {
  const servers: Awaited<ReturnType<typeof startMetadataServer>>[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  async function metadataServer() {
    const server = await startMetadataServer();
    servers.push(server);
    return server;
  }

  it("runs the whole flow for a public client whose client_id is its document's URL", async () => {
    const server = await metadataServer();
    const path = `/${unique("client")}.json`;
    const clientId = server.url(path);
    const redirectUri = `http://127.0.0.1:${server.port}/callback`;
    server.serve(path, { client_id: clientId, client_name: "Metadata Client", redirect_uris: [redirectUri], grant_types: ["authorization_code", "refresh_token"], token_endpoint_auth_method: "none" });
    const { member, user, partner } = await partnerMember();

    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const request = await validateAuthorizationRequest(authorizationParams({ clientId, redirectUri }, { state }, await oauth.calculatePKCECodeChallenge(verifier)));
    expect(request.client).toMatchObject({ clientId, registration: "metadata_document", name: "Metadata Client", redirectUris: [redirectUri], tokenEndpointAuthMethod: "none", blocked: false });
    expect(server.seen.requests).toContain(path);
    const location = await approveAuthorization(member, request, { ip: null });
    const callback = oauth.validateAuthResponse(as, { client_id: clientId }, new URL(location), state);

    const response = await oauth.authorizationCodeGrantRequest(as, { client_id: clientId }, oauth.None(), callback, redirectUri, verifier, { ...INSECURE, additionalParameters: { resource: mcpResource() } });
    const tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: clientId }, response);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ client_id: clientId, sub: user.id, org_id: partner.id, aud: mcpResource() });
    const whoami = await mcp(bearer(tokens.access_token), "tools/call", { name: "whoami", arguments: {} });
    expect(whoami.status).toBe(200);
    expect((whoami.body?.result as { structuredContent?: unknown }).structuredContent).toMatchObject({ kind: "delegated", id: user.id, app: { client_id: clientId } });
    // A public metadata-document client may not authenticate with a secret.
    const withSecret = await postForm("/oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: clientId, client_secret: "gas_anything" });
    expect(withSecret).toMatchObject({ status: 401, json: { error: "invalid_client" } });
  });

  it("refuses a document whose client_id differs from its URL, as a page error", async () => {
    const server = await metadataServer();
    const path = `/${unique("client")}.json`;
    const redirectUri = `http://127.0.0.1:${server.port}/callback`;
    server.serve(path, { client_id: server.url(`/${unique("other")}.json`), redirect_uris: [redirectUri] });
    const message = await pageError(validateAuthorizationRequest(authorizationParams({ clientId: server.url(path), redirectUri })));
    // The person is told it failed, not why: the reason (a different client_id) is for the log only, since a
    // detailed answer would tell whoever chose the URL what Gatehouse's network can reach.
    expect(message).toBe("Gatehouse could not fetch a valid client metadata document from this application's client_id URL.");
    expect(server.seen.requests).toEqual([path]);
    // A failed document is not fetched again for a minute.
    await pageError(validateAuthorizationRequest(authorizationParams({ clientId: server.url(path), redirectUri })));
    expect(server.seen.requests).toEqual([path]);
    expect(await db.appClient.count({ where: { clientId: server.url(path) } })).toBe(0);
  });

  it("refuses a redirect_uri the document does not list, as a page error (never redirected there)", async () => {
    const server = await metadataServer();
    const path = `/${unique("client")}.json`;
    const redirectUri = `http://127.0.0.1:${server.port}/callback`;
    server.serve(path, { client_id: server.url(path), redirect_uris: [redirectUri] });
    for (const attempt of ["https://evil.example/callback", `${redirectUri}/more`, `${redirectUri}?x=1`, `http://localhost:${server.port}/callback`]) {
      const message = await pageError(validateAuthorizationRequest(authorizationParams({ clientId: server.url(path), redirectUri: attempt })));
      expect(message).toMatch(/redirect_uri/);
    }
    // Even with other errors in the request, the unregistered redirect_uri is never used.
    await pageError(validateAuthorizationRequest(authorizationParams({ clientId: server.url(path), redirectUri: "https://evil.example/callback" }, { code_challenge: undefined, response_type: "token" })));
  });

  it("under a production configuration never fetches a document on a loopback or private address", async () => {
    const server = await metadataServer();
    const path = `/${unique("client")}.json`;
    const redirectUri = `http://127.0.0.1:${server.port}/callback`;
    // A valid document is there to be had (the server speaks http, so an https attempt would still connect).
    server.serve(path, { client_id: server.url(path), redirect_uris: [redirectUri] });
    const candidates = [`http://127.0.0.1:${server.port}${path}`, `https://127.0.0.1:${server.port}${path}`, `https://localhost:${server.port}${path}`, `https://[::1]:${server.port}${path}`];

    await withProductionConfig(async () => {
      expect(getConfig()).toMatchObject({ isProduction: true, allowPrivateClientMetadata: false });
      for (const clientId of candidates) {
        const message = await pageError(validateAuthorizationRequest(authorizationParams({ clientId, redirectUri })));
        expect(message, clientId).toMatch(/not registered|could not fetch a valid client metadata document/);
      }
    });
    for (const clientId of candidates.slice(1)) {
      const error = await fetchClientMetadataDocument(clientId, { allowPrivateAddresses: false }).catch((e: unknown) => e);
      expect(error, clientId).toBeInstanceOf(ClientMetadataError);
      expect((error as ClientMetadataError).reason, clientId).toBe("private_address");
    }
    expect(server.seen).toEqual({ connections: 0, requests: [] });
    expect(await db.appClient.count({ where: { clientId: { in: candidates } } })).toBe(0);
  });
});

describe("authorization request validation", () => {
  it("answers a bad request from a known client at a registered redirect_uri by redirect, with state and iss (RFC 9207)", async () => {
    const client = await registerClient();
    const cases: [string, AuthorizationParams, AuthorizationRedirectError["error"]][] = [
      ["PKCE missing", { code_challenge: undefined, code_challenge_method: undefined }, "invalid_request"],
      ["code_challenge without method", { code_challenge_method: undefined }, "invalid_request"],
      ["plain PKCE", { code_challenge_method: "plain" }, "invalid_request"],
      ["malformed challenge", { code_challenge: "short" }, "invalid_request"],
      ["resource missing", { resource: undefined }, "invalid_target"],
      ["the API as resource", { resource: `${app.url}/api` }, "invalid_target"],
      ["a foreign resource", { resource: "https://evil.example/api/mcp" }, "invalid_target"],
      ["a resource with a trailing slash", { resource: `${app.url}/api/mcp/` }, "invalid_target"],
      ["unknown scope", { scope: "mcp:tools admin" }, "invalid_scope"],
      ["a scope apps may not get", { scope: "groups:write" }, "invalid_scope"],
      ["response_type token", { response_type: "token" }, "unsupported_response_type"],
      ["response_type missing", { response_type: undefined }, "unsupported_response_type"],
    ];
    for (const [name, overrides, code] of cases) {
      const state = `state-${unique("s")}`;
      const error = await redirectError(validateAuthorizationRequest(authorizationParams(client, { state, ...overrides })));
      expect({ name, error: error.error }).toEqual({ name, error: code });
      const location = new URL(error.location);
      expect(`${location.origin}${location.pathname}`, name).toBe(client.redirectUri);
      expect(location.searchParams.get("state"), name).toBe(state);
      expect(location.searchParams.get("iss"), name).toBe(app.url);
      expect(location.searchParams.get("error"), name).toBe(code);
      expect(location.searchParams.has("code"), name).toBe(false);
      // A standard client accepts iss and state, then reports the error.
      let reported: unknown;
      try {
        oauth.validateAuthResponse(as, { client_id: client.clientId }, location, state);
      } catch (e) {
        reported = e;
      }
      expect(reported, name).toBeInstanceOf(oauth.AuthorizationResponseError);
      expect((reported as oauth.AuthorizationResponseError).error, name).toBe(code);
    }
  });

  it("shows unknown clients and unregistered or missing redirect_uris on the page, never redirecting", async () => {
    const client = await registerClient();
    expect(await pageError(validateAuthorizationRequest(authorizationParams({ clientId: "ga_doesnotexist", redirectUri: client.redirectUri })))).toMatch(/not registered/);
    expect(await pageError(validateAuthorizationRequest(authorizationParams(client, { client_id: undefined })))).toMatch(/client_id/);
    for (const redirectUri of ["https://evil.example/callback", `${client.redirectUri}/x`, `${client.redirectUri}?next=https://evil.example`, client.redirectUri.replace("127.0.0.1", "localhost")]) {
      expect(await pageError(validateAuthorizationRequest(authorizationParams(client, { redirect_uri: redirectUri })))).toMatch(/redirect_uri/);
    }
    expect(await pageError(validateAuthorizationRequest(authorizationParams(client, { redirect_uri: undefined })))).toMatch(/redirect_uri/);
    // A service client's id (gc_…) is not an app client.
    const partner = await createPartner();
    const { client: service } = await createOAuthClientAsAdmin({ name: "Service", partner_id: partner.id, scopes: "mcp:tools" }, systemAdminActor());
    await pageError(validateAuthorizationRequest(authorizationParams({ clientId: service.clientId, redirectUri: client.redirectUri })));
  });

  it("answers an approved request with code, state and iss at the registered redirect_uri", async () => {
    const { member } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client);
    const location = new URL(grant.location);
    expect(`${location.origin}${location.pathname}`).toBe(client.redirectUri);
    expect(location.searchParams.get("iss")).toBe(app.url);
    expect(location.searchParams.get("state")).toBe(grant.state);
    expect(location.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("token endpoint: authorization_code", () => {
  it("issues an RFC 9068 access token for the MCP resource and a grt_ refresh token", async () => {
    const { member, user, partner } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client, { scope: "mcp:tools groups:read" });
    const response = await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: client.clientId }, response);
    expect(tokens).toMatchObject({ token_type: "bearer", expires_in: 900, scope: "mcp:tools groups:read" });
    expect(tokens.refresh_token).toMatch(/^grt_/);

    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: app.url, audience: mcpResource(), typ: "at+jwt" });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    const authorization = await db.oAuthAuthorization.findFirstOrThrow({ where: { grant: { userId: user.id, appClientId: client.rowId } } });
    expect(payload).toMatchObject({ iss: app.url, sub: user.id, org_id: partner.id, client_id: client.clientId, aud: mcpResource(), scope: "mcp:tools groups:read", sid: authorization.id });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);

    // Stored as digests only; the grant is audited.
    const refreshRows = await db.oAuthRefreshToken.findMany({ where: { authorizationId: authorization.id } });
    expect(refreshRows).toHaveLength(1);
    expect(JSON.stringify(refreshRows)).not.toContain(tokens.refresh_token!);
    expect(authorization.codeUsedAt).toBeInstanceOf(Date);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "oauth.grant_created", actorId: user.id } });
    expect(audit).toMatchObject({ partnerId: partner.id, metadata: { clientId: client.clientId, scopes: ["mcp:tools", "groups:read"], resource: mcpResource() } });
  });

  it("refuses a wrong code_verifier with invalid_grant, and the code is spent (the right verifier then fails too)", async () => {
    const { member } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client);
    const wrong = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri, verifier: oauth.generateRandomCodeVerifier() }));
    expect(wrong).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The code_verifier does not match the code_challenge." } });
    const retry = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    expect(retry).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(retry.body).not.toHaveProperty("access_token");
  });

  it("refuses a code without code_verifier", async () => {
    const { member } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client);
    const response = await postForm("/oauth/token", { grant_type: "authorization_code", client_id: client.clientId, code: grant.callback.get("code")!, redirect_uri: client.redirectUri });
    expect(response).toMatchObject({ status: 400, json: { error: "invalid_request" } });
  });

  it("refuses a redirect_uri other than the authorization request's with invalid_grant", async () => {
    const { member } = await partnerMember();
    const client = await registerClient({ redirect_uris: ["http://127.0.0.1:41001/callback", "http://127.0.0.1:41002/callback"] });
    const grant = await consent(member, client);
    const mismatch = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: "http://127.0.0.1:41002/callback" }));
    expect(mismatch).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "redirect_uri does not match the authorization request." } });
  });

  it("refuses a replayed code, revokes what the first exchange issued, and audits it", async () => {
    const { member, user, partner } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client);
    const first = await exchange(client, grant);
    await expectMcpWorks(first.access_token);

    const replay = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    expect(replay).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The authorization code is not valid." } });
    await expectMcpRefusal(first.access_token);
    expect(await errorOf(await refresh(client.clientId, first.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);

    const sid = decodeJwt(first.access_token).sid as string;
    const grantRow = await db.oAuthGrant.findUniqueOrThrow({ where: { userId_appClientId: { userId: user.id, appClientId: client.rowId } } });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "oauth.authorization_code_replayed", targetId: grantRow.id } });
    expect(audit).toMatchObject({ partnerId: partner.id, targetType: "oauth_grant", metadata: { clientId: client.clientId, userId: user.id, authorizationId: sid } });
    expect((await db.oAuthAuthorization.findUniqueOrThrow({ where: { id: sid } })).revokedAt).toBeInstanceOf(Date);
  });

  it("refuses a code presented by another client with invalid_grant and issues nothing", async () => {
    const { member } = await partnerMember();
    const client = await registerClient();
    const thief = await registerClient({ redirect_uris: [client.redirectUri] });
    const grant = await consent(member, client);
    const stolen = await errorOf(await codeRequest(thief.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    expect(stolen).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The authorization code is not valid." } });
    expect(await db.oAuthRefreshToken.count({ where: { authorization: { grant: { appClientId: { in: [client.rowId, thief.rowId] } } } } })).toBe(0);
  });

  it("answers invalid_client to a public client that sends a secret, by post or by Basic", async () => {
    const { member } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client);
    const posted = await errorOf(await codeRequest(client.clientId, oauth.ClientSecretPost("gas_made-up-secret"), grant, { redirectUri: client.redirectUri }));
    expect(posted).toEqual({ status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } });
    const viaBasic = await postForm("/oauth/token", { grant_type: "authorization_code", code: grant.callback.get("code")!, redirect_uri: client.redirectUri, code_verifier: grant.verifier }, { authorization: basic(client.clientId, "gas_made-up-secret") });
    expect(viaBasic).toMatchObject({ status: 401, json: { error: "invalid_client", error_description: "Client authentication failed." } });
    expect(viaBasic.headers.get("www-authenticate")).toBe('Basic realm="gatehouse"');
  });

  it("requires a confidential (client_secret_basic) client's secret, by the method it registered", async () => {
    const { member, user } = await partnerMember();
    const client = await registerClient({ token_endpoint_auth_method: "client_secret_basic" });
    expect(client.clientSecret).toMatch(/^gas_/);
    const grant = await consent(member, client);
    const noSecret = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    expect(noSecret).toEqual({ status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } });
    const wrongMethod = await errorOf(await codeRequest(client.clientId, oauth.ClientSecretPost(client.clientSecret!), grant, { redirectUri: client.redirectUri }));
    expect(wrongMethod).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const wrongSecret = await errorOf(await codeRequest(client.clientId, oauth.ClientSecretBasic(`${client.clientSecret!.slice(0, -1)}${client.clientSecret!.endsWith("A") ? "B" : "A"}`), grant, { redirectUri: client.redirectUri }));
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    // Failed client authentication does not spend the code: the client with its secret still gets tokens.
    const tokens = await exchange(client, grant, oauth.ClientSecretBasic(client.clientSecret!));
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: user.id, client_id: client.clientId });
  });
});

describe("token endpoint: refresh_token", () => {
  it("rotates: a new refresh token each time; reusing a used one revokes the whole grant, audited", async () => {
    const { client, tokens, user, partner, grantId } = await connectedApp();
    const first = tokens.refresh_token!;
    const rotated = await oauth.processRefreshTokenResponse(as, { client_id: client.clientId }, await refresh(client.clientId, first));
    expect(rotated.refresh_token).toMatch(/^grt_/);
    expect(rotated.refresh_token).not.toBe(first);
    expect(rotated.access_token).not.toBe(tokens.access_token);
    expect(decodeJwt(rotated.access_token)).toMatchObject({ sub: user.id, sid: decodeJwt(tokens.access_token).sid, scope: "mcp:tools" });
    await expectMcpWorks(rotated.access_token);

    expect(await errorOf(await refresh(client.clientId, first))).toEqual(INVALID_GRANT_REFRESH);
    // The whole grant is gone: the newest refresh token and the newest access token with it.
    expect(await errorOf(await refresh(client.clientId, rotated.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);
    await expectMcpRefusal(rotated.access_token);
    await expectMcpRefusal(tokens.access_token);
    expect(await db.oAuthGrant.count({ where: { id: grantId } })).toBe(0);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "oauth.refresh_token_reused", targetId: grantId } });
    expect(audit).toMatchObject({ partnerId: partner.id, metadata: { clientId: client.clientId, userId: user.id, grantRevoked: true } });
  });

  it("allows narrowing the scope and refuses widening it with invalid_scope", async () => {
    const { client, tokens } = await connectedApp({ scope: "mcp:tools groups:read" });
    const narrowed = await oauth.processRefreshTokenResponse(as, { client_id: client.clientId }, await refresh(client.clientId, tokens.refresh_token!, { scope: "mcp:tools" }));
    expect(narrowed.scope).toBe("mcp:tools");
    expect(decodeJwt(narrowed.access_token).scope).toBe("mcp:tools");

    const wider = await errorOf(await refresh(client.clientId, narrowed.refresh_token!, { scope: "mcp:tools partner:read" }));
    expect(wider).toEqual({ status: 400, body: { error: "invalid_scope", error_description: "A refresh may only keep or narrow the authorized scopes." } });
  });

  // RFC 6749 §6 / RFC 9700 §4.14.2: the old refresh token is invalidated when a NEW one is issued. A refused
  // request issues nothing, so it must not use the presented token up (else the client's next, correct, refresh
  // is treated as theft and the person's whole grant is deleted).
  it("leaves the refresh token usable after a refused refresh (invalid_scope)", async () => {
    const { client, tokens, grantId } = await connectedApp();
    const wider = await errorOf(await refresh(client.clientId, tokens.refresh_token!, { scope: "mcp:tools partner:read" }));
    expect(wider.body.error).toBe("invalid_scope");
    const retry = await refresh(client.clientId, tokens.refresh_token!);
    const outcome = {
      status: retry.status,
      grantKept: (await db.oAuthGrant.count({ where: { id: grantId } })) === 1,
      reuseAudited: (await db.auditEvent.count({ where: { action: "oauth.refresh_token_reused", targetId: grantId } })) > 0,
    };
    expect(outcome).toEqual({ status: 200, grantKept: true, reuseAudited: false });
  });

  it("does not let another client spend (and so revoke) a confidential client's refresh token", async () => {
    const { member } = await partnerMember();
    const client = await registerClient({ token_endpoint_auth_method: "client_secret_basic" });
    const tokens = await exchange(client, await consent(member, client), oauth.ClientSecretBasic(client.clientSecret!));
    const grantId = (await db.oAuthGrant.findFirstOrThrow({ where: { appClientId: client.rowId } })).id;
    // Another (public, self-registered) client presents the stolen token: no secret, so it must get nothing...
    const other = await registerClient();
    expect(await errorOf(await refresh(other.clientId, tokens.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);
    // ...and must not be able to burn it: the rightful client, with its secret, still refreshes.
    const legitimate = await refresh(client.clientId, tokens.refresh_token!, { auth: oauth.ClientSecretBasic(client.clientSecret!) });
    const outcome = {
      status: legitimate.status,
      grantKept: (await db.oAuthGrant.count({ where: { id: grantId } })) === 1,
      reuseAudited: (await db.auditEvent.count({ where: { action: "oauth.refresh_token_reused", targetId: grantId } })) > 0,
    };
    expect(outcome).toEqual({ status: 200, grantKept: true, reuseAudited: false });
  });
});

describe("the MCP gate with a person's token", () => {
  it("serves tools/list and whoami as the person, inside their partner", async () => {
    const { tokens, user, partner, client } = await connectedApp();
    const list = await mcp(bearer(tokens.access_token));
    expect(list.status).toBe(200);
    expect(toolNames(list.body)).toEqual(["check_membership", "get_group", "list_clients", "list_groups", "list_integration_resources", "list_integrations", "search_audit_log", "whoami"]);
    const whoami = await mcp(bearer(tokens.access_token), "tools/call", { name: "whoami", arguments: {} });
    expect(whoami.status).toBe(200);
    expect((whoami.body?.result as { structuredContent?: unknown }).structuredContent).toEqual({
      kind: "delegated",
      id: user.id,
      app: { client_id: client.clientId },
      organization: { id: partner.id, name: partner.name },
      scopes: ["mcp:tools"],
    });
  });

  it("refuses a person's token without mcp:tools with 403 insufficient_scope", async () => {
    const { tokens } = await connectedApp({ scope: "groups:read" });
    const response = await mcp(bearer(tokens.access_token));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.body).toMatchObject({ error: "insufficient_scope", scope: "mcp:tools" });
    expect(response.text).not.toContain("whoami");
  });

  it("keeps audiences apart: a person's token is refused at the API, a service's API token at /api/mcp", async () => {
    const { tokens, user, partner, client } = await connectedApp({ scope: "mcp:tools groups:read" });
    const atApi = await fetch(`${app.url}/api/auth/groups`, { headers: bearer(tokens.access_token) });
    expect(atApi.status).toBe(401);
    expect(atApi.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await atApi.json()).toMatchObject({ error: "invalid_token" });
    // Even a genuinely signed person token for the API audience (Gatehouse never issues one) is not accepted there.
    const sid = decodeJwt(tokens.access_token).sid as string;
    const { token: apiAudience } = await signUserAccessToken({ userId: user.id, partnerId: partner.id, clientId: client.clientId, scopes: ["groups:read"], resource: `${app.url}/api`, authorizationId: sid }, 300);
    const forged = await fetch(`${app.url}/api/auth/groups`, { headers: bearer(apiAudience) });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: "invalid_token" });

    const { client: service, clientSecret } = await createOAuthClientAsAdmin({ name: "Agent", partner_id: partner.id, scopes: "mcp:tools groups:read" }, systemAdminActor());
    const serviceToken = await postForm("/oauth/token", { grant_type: "client_credentials" }, { authorization: basic(service.clientId, clientSecret) });
    expect(decodeJwt(String(serviceToken.json!.access_token)).aud).toBe(`${app.url}/api`);
    await expectMcpRefusal(String(serviceToken.json!.access_token));
  });

  it("ends the person's tokens when they revoke the grant (Connected apps), leaving their other apps alone", async () => {
    const { tokens, user, member, client, grantId } = await connectedApp();
    const otherClient = await registerClient();
    const otherTokens = await exchange(otherClient, await consent(member, otherClient));
    const grants = await listOwnGrants({ userId: user.id });
    expect(grants.map((grant) => grant.client.clientId).sort()).toEqual([client.clientId, otherClient.clientId].sort());
    expect(grants.find((grant) => grant.client.clientId === client.clientId)?.id).toBe(grantId);
    await expectMcpWorks(tokens.access_token);

    await revokeGrant(grantId, { userId: user.id }, { userId: user.id });
    await expectMcpRefusal(tokens.access_token);
    expect(await errorOf(await refresh(client.clientId, tokens.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);
    await expectMcpWorks(otherTokens.access_token);
    expect(await db.auditEvent.count({ where: { action: "oauth.grant_revoked", targetId: grantId, actorId: user.id } })).toBe(1);
  });

  it("refuses to revoke another person's grant (404) and leaves it working", async () => {
    const { tokens, grantId, partner } = await connectedApp();
    const colleague = await createUser({ partnerId: partner.id });
    await expect(revokeGrant(grantId, { userId: colleague.id }, { userId: colleague.id })).rejects.toThrow(/No such connected app/);
    await expectMcpWorks(tokens.access_token);
  });

  it("ends the person's tokens when they are removed from the partner", async () => {
    const { tokens, user, owner, partner, client } = await connectedApp();
    await expectMcpWorks(tokens.access_token);
    await removeMember(partner.id, user.id, { type: "user", id: owner.id, partnerRole: "owner" });
    await expectMcpRefusal(tokens.access_token);
    expect(await errorOf(await refresh(client.clientId, tokens.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);
    expect(await listOwnGrants({ userId: user.id })).toEqual([]);
  });

  it("ends the person's tokens when the partner is suspended", async () => {
    const { tokens, partner, client } = await connectedApp();
    await expectMcpWorks(tokens.access_token);
    await suspendPartnerAsAdmin(partner.id, { reason: "Unpaid invoices" }, systemAdminActor());
    await expectMcpRefusal(tokens.access_token);
    // Like its API keys, the partner's app connections end for good: reinstating it does not bring them back.
    expect(await db.oAuthGrant.count({ where: { partnerId: partner.id } })).toBe(0);
    const refused = await errorOf(await refresh(client.clientId, tokens.refresh_token!));
    expect(refused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(refused.body).not.toHaveProperty("access_token");
  });

  it("ends the app's tokens when an admin blocks it: 401 at /api/mcp, invalid_client at the token endpoint, a page (never a redirect) at authorization", async () => {
    const { tokens, client, member } = await connectedApp();
    await expectMcpWorks(tokens.access_token);
    await blockAppClientAsAdmin(client.rowId, systemAdminActor());
    await expectMcpRefusal(tokens.access_token);
    const refreshed = await errorOf(await refresh(client.clientId, tokens.refresh_token!));
    expect(refreshed).toEqual({ status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } });
    // A blocked (possibly malicious) app's redirect URI is not trusted with the browser, not even for an error.
    expect(await pageError(validateAuthorizationRequest(authorizationParams(client)))).toMatch(/blocked this application/);
    expect(await db.oAuthGrant.count({ where: { appClientId: client.rowId } })).toBe(0);
    // The person cannot re-authorize it either: consent never gets past validation.
    expect(await db.oAuthAuthorization.count({ where: { grant: { userId: member.userId, appClientId: client.rowId } } })).toBe(0);
  });

  it("refuses to exchange a code issued before the partner was suspended", async () => {
    const { member, partner } = await partnerMember();
    const client = await registerClient();
    const grant = await consent(member, client);
    await suspendPartnerAsAdmin(partner.id, { reason: "Under review" }, systemAdminActor());
    const refused = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    // Suspension deleted the grant, and the code with it.
    expect(refused).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "The authorization code is not valid." } });
  });

  it("keeps a pending partner's member away from consent, and a code issued to them anyway is not exchangeable", async () => {
    const partner = await createPartner({ status: "pending_approval" });
    const user = await createUser({ partnerId: partner.id, partnerRole: "owner" });
    const cookie = await sessionCookieFor(user.id);
    await expect(authorize(MEMBER_ACTION, { headers: new Headers({ cookie, origin: app.url }), method: "POST" })).rejects.toBeInstanceOf(PolicyRefusalError);
    // Were the policy bypassed, the token endpoint still checks the partner's status.
    const forged: MemberPrincipal = { kind: "user", userId: user.id, role: "partner", partnerId: partner.id, partnerRole: "owner", status: "approved", email: user.email, name: user.name };
    const client = await registerClient();
    const grant = await consent(forged, client);
    const refused = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    expect(refused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });
});

describe("the MCP endpoint's Origin rule", () => {
  it("refuses a foreign Origin with 403 and no tool data, whatever the credential; serves its own origin and none", async () => {
    const { tokens, partner, user } = await connectedApp();
    const { apiKey } = await createApiKey(partner.id, user.id, { name: "Desktop", scopes: ["mcp:tools"] }, { type: "user", id: user.id });
    const credentials: Record<string, string>[] = [bearer(tokens.access_token), { "x-api-key": apiKey }, {}];
    for (const credential of credentials) {
      for (const origin of ["http://evil.example", "null", `${app.url}.evil.example`, app.url.replace("127.0.0.1", "localhost")]) {
        const refused = await mcp({ ...credential, origin });
        expect({ origin, status: refused.status }).toEqual({ origin, status: 403 });
        expect(refused.body).toEqual({ error: "forbidden", message: "Requests from this origin are not accepted." });
        expect(refused.text).not.toMatch(/whoami|jsonrpc|tools/);
      }
    }
    for (const credential of credentials.slice(0, 2)) {
      const own = await mcp({ ...credential, origin: app.url });
      expect(own.status).toBe(200);
      expect(toolNames(own.body)).toContain("whoami");
      const none = await mcp(credential);
      expect(none.status).toBe(200);
      expect(toolNames(none.body)).toContain("whoami");
    }
  });

  it("serves an origin listed in MCP_ALLOWED_ORIGINS", async () => {
    const { tokens } = await connectedApp();
    process.env.MCP_ALLOWED_ORIGINS = "https://claude.ai";
    resetConfigForTests();
    try {
      const allowed = await mcp({ ...bearer(tokens.access_token), origin: "https://claude.ai" });
      expect(allowed.status).toBe(200);
      expect(toolNames(allowed.body)).toContain("whoami");
      expect((await mcp({ ...bearer(tokens.access_token), origin: "https://claude.ai.evil.example" })).status).toBe(403);
    } finally {
      delete process.env.MCP_ALLOWED_ORIGINS;
      resetConfigForTests();
    }
  });
});

describe("RFC 7009 revocation by a public app client", () => {
  it("revokes the refresh token's family with client_id only; another client's attempt changes nothing", async () => {
    const { client, tokens } = await connectedApp();
    const other = await registerClient();
    const foreign = await oauth.revocationRequest(as, { client_id: other.clientId }, oauth.None(), tokens.refresh_token!, INSECURE);
    expect(foreign.status).toBe(200);
    await expectMcpWorks(tokens.access_token);

    const response = await oauth.revocationRequest(as, { client_id: client.clientId }, oauth.None(), tokens.refresh_token!, { ...INSECURE, additionalParameters: { token_type_hint: "refresh_token" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await oauth.processRevocationResponse(response)).toBeUndefined();
    expect(await errorOf(await refresh(client.clientId, tokens.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);
    await expectMcpRefusal(tokens.access_token);
    // Unknown tokens answer 200 too (§2.2); a public client sending a secret is refused.
    expect((await postForm("/oauth/revoke", { token: "grt_unknown", client_id: client.clientId })).status).toBe(200);
    expect(await postForm("/oauth/revoke", { token: tokens.refresh_token!, client_id: client.clientId, client_secret: "gas_x" })).toMatchObject({ status: 401, json: { error: "invalid_client" } });
  });
});

describe("what a hostile app or a careless client cannot do", () => {
  it("never bounces a person to an untrusted app's redirect URI without a click: only admin-registered or already-authorized apps", async () => {
    const { member } = await partnerMember();
    const stranger = await registerClient();
    const error = await redirectError(validateAuthorizationRequest(authorizationParams(stranger, { response_type: "token" })));
    expect(await mayRedirectWithoutAsking(member, error.client)).toBe(false);
    await consent(member, stranger);
    expect(await mayRedirectWithoutAsking(member, error.client)).toBe(true);

    const { client: registered } = await createAppClientAsAdmin({ name: unique("Admin app"), redirect_uris: "https://ide.example.com/callback" }, systemAdminActor());
    expect(await mayRedirectWithoutAsking(member, registered)).toBe(true);
    await blockAppClientAsAdmin(registered.id, systemAdminActor());
    expect(await mayRedirectWithoutAsking(member, { ...registered, blocked: true })).toBe(false);
  });

  it("asks again for an app on the person's computer (loopback, private-use scheme); remembers consent for https redirect URIs", async () => {
    const { member } = await partnerMember();
    const loopback = await registerClient();
    await consent(member, loopback);
    const again = await validateAuthorizationRequest(authorizationParams(loopback));
    expect(await hasRememberedConsent(member, again)).toBe(true);
    expect(mayApproveWithoutAsking(again)).toBe(false);
    const scheme = await registerClient({ redirect_uris: ["com.example.ide:/oauth"] });
    expect(mayApproveWithoutAsking(await validateAuthorizationRequest(authorizationParams(scheme)))).toBe(false);
    const web = await registerClient({ redirect_uris: ["https://app.example.com/callback"] });
    expect(mayApproveWithoutAsking(await validateAuthorizationRequest(authorizationParams(web)))).toBe(true);
  });

  it("matches a loopback redirect URI on any port (RFC 8252 §7.3) and binds the code to the port used", async () => {
    const { member } = await partnerMember();
    const client = await registerClient();
    const otherPort = client.redirectUri.replace(/:\d+\//, ":51999/");
    const grant = await consent(member, { clientId: client.clientId, redirectUri: otherPort });
    expect(new URL(grant.location).port).toBe("51999");
    // The token request must name the port the authorization request used.
    const wrong = await errorOf(await codeRequest(client.clientId, oauth.None(), grant, { redirectUri: client.redirectUri }));
    expect(wrong).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // Another host or path is still refused.
    expect(await pageError(validateAuthorizationRequest(authorizationParams({ clientId: client.clientId, redirectUri: otherPort.replace("/callback", "/other") })))).toMatch(/redirect_uri/);
  });

  it("holds a person's token to the scopes they consented to, tool by tool", async () => {
    const { tokens } = await connectedApp({ scope: "mcp:tools groups:read" });
    const groups = await mcp(bearer(tokens.access_token), "tools/call", { name: "list_groups", arguments: {} });
    expect((groups.body?.result as { isError?: boolean }).isError).toBeFalsy();
    const audit = await mcp(bearer(tokens.access_token), "tools/call", { name: "search_audit_log", arguments: {} });
    const result = audit.body?.result as { isError?: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/did not allow this app the scope partner:read/);
    expect(audit.text).not.toContain("oauth.grant_created");
  });

  it("lets an app revoke its access token (RFC 7009): the whole token family ends, audited", async () => {
    const { client, tokens, partner } = await connectedApp();
    const response = await postForm("/oauth/revoke", { token: tokens.access_token, client_id: client.clientId });
    expect(response.status).toBe(200);
    await expectMcpRefusal(tokens.access_token);
    expect(await errorOf(await refresh(client.clientId, tokens.refresh_token!))).toEqual(INVALID_GRANT_REFRESH);
    expect(await db.auditEvent.count({ where: { partnerId: partner.id, action: "oauth.token_revoked" } })).toBe(1);
    // Another app presenting the token changes nothing.
    const other = await connectedApp();
    await postForm("/oauth/revoke", { token: other.tokens.access_token, client_id: client.clientId });
    await expectMcpWorks(other.tokens.access_token);
  });

  it("refuses a NUL byte in client_id at the authorization endpoint and in a grant id without a database error", async () => {
    expect(await pageError(validateAuthorizationRequest(authorizationParams({ clientId: "ga_\u0000x", redirectUri: "http://127.0.0.1:1/callback" })))).toMatch(/malformed/);
    const { user } = await partnerMember();
    await expect(revokeGrant("a\u0000b", { userId: user.id }, { userId: user.id })).rejects.toThrow(/No such connected app/);
  });
});
