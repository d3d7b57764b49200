/**
 * Tenant isolation matrix (issue 7): every tenant-scoped route of the manifest, asked by each kind of principal of
 * tenant B for tenant A's objects, over HTTP against a production instance. Expected: 404, exactly as for an object
 * that does not exist (docs/ARCHITECTURE.md "One principal model"), or a list / MCP result without any of A's data; and
 * afterwards everything A owns is byte-for-byte unchanged and A's own credentials still work.
 *
 * The cases are generated from the route manifest (tests/hostile/support/routes.ts) and the table below, which says
 * how to fill each route's parameters with A's ids. A route in neither the table nor the "not tenant-scoped" list
 * fails the first test, so a new route cannot be forgotten.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { MCP_TOOL_NAMES } from "@/lib/mcp/server";
import { fillPattern, routeKey, routeMethods, type HttpMethod } from "./support/routes.ts";
import { mcpRequest, SAME_ORIGIN, send, seedTenant, startUnlimitedInstance, tenantSnapshot, type HttpResult, type Tenant } from "./support/fixtures.ts";
import { HOSTILE_APP_URL, type ProductionInstance } from "./support/production.ts";

/** How a principal of tenant B presents itself. */
type Credential = "session" | "apiToken" | "apiKey" | "portal" | "client";

function credentialHeaders(tenant: Tenant, credential: Credential): Record<string, string> {
  switch (credential) {
    case "session":
      return { cookie: tenant.sessionCookie, ...SAME_ORIGIN };
    case "portal":
      return { cookie: tenant.portalCookie, ...SAME_ORIGIN };
    case "apiToken":
      return { authorization: `Bearer ${tenant.apiToken}` };
    case "apiKey":
      return { "x-api-key": tenant.apiKey.secret };
    case "client":
      return { authorization: `Basic ${Buffer.from(`${tenant.oauthClient.clientId}:${tenant.oauthClient.secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" };
  }
}

/** What B must see: 404; a 2xx list or view without A's data; or a route-specific check. */
type Expectation = "not_found" | "own_data_only" | ((response: HttpResult) => void);

interface Variant {
  params?: Record<string, string>;
  /** Appended to the path, e.g. `?partner_id=…`. */
  query?: string;
  body?: unknown;
  expect: Expectation;
  /** Undo what a legitimate write of B's did, so the next principal starts from the same state. */
  cleanup?: () => Promise<unknown>;
}

interface ScopedRoute {
  credentials: Credential[];
  variants: (a: Tenant, b: Tenant) => Variant[];
}

const adminOnly: ScopedRoute["credentials"] = ["session"];

/**
 * Tenant-scoped routes: who may call them and how to aim them at tenant A. Admin routes are here too: they act
 * across tenants by design, but only for admins, so B's member asking for A's partner or client must get 404.
 */
const TENANT_SCOPED: Record<string, ScopedRoute> = {
  [routeKey("GET", "/api/auth/groups")]: { credentials: ["session", "apiToken", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  // Group names are unique per tenant: taking A's name must work in B (a 409 would reveal that A uses it).
  [routeKey("POST", "/api/auth/groups")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a, b) => [{ body: { name: a.groupName }, expect: created, cleanup: () => db.group.deleteMany({ where: { partnerId: b.partnerId, name: a.groupName } }) }],
  },
  [routeKey("GET", "/api/auth/groups/[id]")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.groupId }, expect: "not_found" }] },
  [routeKey("PATCH", "/api/auth/groups/[id]")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a) => [{ params: { id: a.groupId }, body: { name: "taken over", description: "by tenant B" }, expect: "not_found" }],
  },
  [routeKey("DELETE", "/api/auth/groups/[id]")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.groupId }, expect: "not_found" }] },
  [routeKey("GET", "/api/auth/groups/[id]/members")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.groupId }, expect: "not_found" }] },
  [routeKey("POST", "/api/auth/groups/[id]/members")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a, b) => [
      { params: { id: a.groupId }, body: { user_id: b.user.id }, expect: "not_found" }, // B's user into A's group
      { params: { id: b.emptyGroupId }, body: { user_id: a.colleague.id }, expect: "not_found" }, // A's user into B's group
    ],
  },
  [routeKey("GET", "/api/auth/groups/[id]/members/[userId]")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a, b) => [
      { params: { id: a.groupId, userId: a.colleague.id }, expect: "not_found" },
      { params: { id: b.groupId, userId: a.colleague.id }, expect: "not_found" },
    ],
  },
  [routeKey("DELETE", "/api/auth/groups/[id]/members/[userId]")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a) => [{ params: { id: a.groupId, userId: a.colleague.id }, expect: "not_found" }],
  },
  // API-key self-service: B's session and B's key see B's owner's keys only; A's key id is 404 to both.
  [routeKey("GET", "/api/auth/api-keys")]: { credentials: ["session", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("POST", "/api/auth/api-keys")]: { credentials: ["session"], variants: () => [{ body: { name: "B's key" }, expect: created }] },
  [routeKey("DELETE", "/api/auth/api-keys/[id]")]: { credentials: ["session", "apiKey"], variants: (a) => [{ params: { id: a.apiKey.id }, expect: "not_found" }] },
  [routeKey("GET", "/auth/api-keys")]: { credentials: ["session", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("POST", "/auth/api-keys")]: { credentials: ["session"], variants: () => [{ body: { name: "B's key", expires_in_days: "never" }, expect: created }] },
  [routeKey("DELETE", "/auth/api-keys/[id]")]: { credentials: ["session", "apiKey"], variants: (a) => [{ params: { id: a.apiKey.id }, expect: "not_found" }] },
  [routeKey("GET", "/auth/me")]: { credentials: ["session", "apiToken", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  // B's owner manages B's keys only (seedTenant's user is the partner's owner).
  [routeKey("GET", "/api/partner/api-keys")]: { credentials: ["session"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("DELETE", "/api/partner/api-keys/[id]")]: { credentials: ["session"], variants: (a) => [{ params: { id: a.apiKey.id }, expect: "not_found" }] },
  [routeKey("GET", "/api/partner/me")]: { credentials: ["session", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("GET", "/api/partner/members")]: { credentials: ["session", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("GET", "/api/partner/invitations")]: { credentials: ["session", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  // Inviting A's member's address into B is legitimate (any address may be invited): it must create B's invitation only.
  [routeKey("POST", "/api/partner/invitations")]: {
    credentials: ["session"],
    variants: (a, b) => [{ body: { email: a.user.email }, expect: created, cleanup: () => db.partnerInvitation.deleteMany({ where: { partnerId: b.partnerId, email: a.user.email } }) }],
  },
  [routeKey("DELETE", "/api/partner/invitations/[id]")]: { credentials: ["session"], variants: (a) => [{ params: { id: a.invitationId }, expect: "not_found" }] },
  [routeKey("DELETE", "/api/partner/members/[userId]")]: {
    credentials: ["session"],
    variants: (a) => [{ params: { userId: a.colleague.id }, expect: "not_found" }, { params: { userId: a.user.id }, expect: "not_found" }],
  },
  [routeKey("PATCH", "/api/partner/members/[userId]")]: {
    credentials: ["session"],
    variants: (a) => [
      { params: { userId: a.colleague.id }, body: { role: "owner" }, expect: "not_found" },
      { params: { userId: a.user.id }, body: { role: "member" }, expect: "not_found" },
    ],
  },
  [routeKey("GET", "/portal/api/me")]: { credentials: ["portal"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("GET", "/portal/api/projects")]: { credentials: ["portal"], variants: () => [{ expect: "own_data_only" }] },
  [routeKey("GET", "/portal/api/projects/[id]")]: { credentials: ["portal"], variants: (a) => [{ params: { id: a.projectId }, expect: "not_found" }] },
  [routeKey("POST", "/projects/[id]/portal-preview")]: {
    credentials: ["session"],
    variants: (a) => [
      { params: { id: a.projectId }, expect: "not_found" },
      { params: { id: a.unlinkedProjectId }, expect: "not_found" },
    ],
  },
  // MCP: one case per tool (see MCP_CASES), every tool aimed at A's ids where it takes any.
  [routeKey("POST", "/api/mcp")]: { credentials: [], variants: () => [] },
  // RFC 7662: another tenant's token is simply not active for B.
  [routeKey("POST", "/oauth/introspect")]: {
    credentials: ["client"],
    variants: (a) => [{ body: new URLSearchParams({ token: a.apiToken }).toString(), expect: (r) => expect(JSON.parse(r.text)).toEqual({ active: false }) }],
  },
  // RFC 7009 §2.2: 200 whatever the token; A's token must keep working (checked after the matrix).
  [routeKey("POST", "/oauth/revoke")]: {
    credentials: ["client"],
    variants: (a) => [
      { body: new URLSearchParams({ token: a.apiToken }).toString(), expect: (r) => expect(r.status).toBe(200) },
      { body: new URLSearchParams({ token: a.mcpToken }).toString(), expect: (r) => expect(r.status).toBe(200) },
    ],
  },
  // Integrations (issue 14): every id is A's, or B's integration paired with A's job.
  [routeKey("GET", "/api/integrations")]: { credentials: ["session", "apiToken", "apiKey"], variants: () => [{ expect: "own_data_only" }] },
  // Names are not unique, and taking A's name must simply create B's own (AWS: the only provider the hostile
  // instances are configured for).
  [routeKey("POST", "/api/integrations")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a, b) => [{ body: { provider: "aws", name: a.integration.name }, expect: created, cleanup: () => db.integration.deleteMany({ where: { partnerId: b.partnerId, name: a.integration.name } }) }],
  },
  [routeKey("GET", "/api/integrations/[id]")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.integration.id }, expect: "not_found" }] },
  [routeKey("PATCH", "/api/integrations/[id]")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a) => [
      { params: { id: a.integration.id }, body: { name: "taken over by B" }, expect: "not_found" },
      { params: { id: a.integration.id }, body: { sync_interval_minutes: 60 }, expect: "not_found" },
    ],
  },
  [routeKey("DELETE", "/api/integrations/[id]")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.integration.id }, expect: "not_found" }] },
  // A well-formed ARN, so the request gets past validation to the lookup.
  [routeKey("POST", "/api/integrations/[id]/aws-role")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a) => [{ params: { id: a.integration.id }, body: { role_arn: "arn:aws:iam::123456789012:role/tenant-b-takeover" }, expect: "not_found" }],
  },
  [routeKey("POST", "/api/integrations/[id]/oauth")]: { credentials: ["session"], variants: (a) => [{ params: { id: a.integration.id }, expect: "not_found" }] },
  // A's pending consent, finished by B's owner in B's session: nothing is connected, B's browser goes back to the
  // list with the reason, and A's integration is untouched. The state is single-use: B's attempt consumes it (a
  // state presented by the wrong session is burnt, not left for another try), so the cleanup puts A's row back for
  // the snapshot comparison of everything else.
  [routeKey("GET", "/api/integrations/oauth/callback")]: {
    credentials: ["session"],
    variants: (a) => [
      {
        query: `?code=${encodeURIComponent("code-from-b")}&state=${encodeURIComponent(a.oauthState)}`,
        expect: refusedCallback,
        cleanup: () => restoreOAuthStates(a),
      },
      { query: `?error=access_denied&state=${encodeURIComponent(a.oauthState)}`, expect: refusedCallback, cleanup: () => restoreOAuthStates(a) },
    ],
  },
  [routeKey("POST", "/api/integrations/[id]/sync")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.integration.id }, expect: "not_found" }] },
  [routeKey("GET", "/api/integrations/[id]/sync-jobs")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.integration.id }, expect: "not_found" }] },
  [routeKey("GET", "/api/integrations/[id]/sync-jobs/[jobId]")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a, b) => [
      { params: { id: a.integration.id, jobId: a.syncJobId }, expect: "not_found" },
      { params: { id: b.integration.id, jobId: a.syncJobId }, expect: "not_found" }, // B's integration, A's job
    ],
  },
  [routeKey("GET", "/api/integrations/[id]/resources")]: {
    credentials: ["session", "apiToken", "apiKey"],
    variants: (a, b) => [
      { params: { id: a.integration.id }, expect: "not_found" },
      { params: { id: a.integration.id }, query: "?type=user&risk=critical", expect: "not_found" },
      // B's own integration searched for A's user: an empty page, not A's row.
      { params: { id: b.integration.id }, query: `?q=${encodeURIComponent(a.resource.email)}`, expect: emptyResourcePage },
      { params: { id: b.integration.id }, query: `?q=${encodeURIComponent(a.resource.name)}`, expect: emptyResourcePage },
    ],
  },
  [routeKey("GET", "/api/integrations/[id]/evidence")]: { credentials: ["session", "apiToken", "apiKey"], variants: (a) => [{ params: { id: a.integration.id }, expect: "not_found" }] },
  [routeKey("GET", "/api/admin/partners")]: { credentials: adminOnly, variants: () => [{ expect: "not_found" }] },
  [routeKey("POST", "/api/admin/partners")]: { credentials: adminOnly, variants: () => [{ body: { name: "B's shadow partner", approve: true }, expect: "not_found" }] },
  [routeKey("GET", "/api/admin/partners/[id]")]: { credentials: adminOnly, variants: (a) => [{ params: { id: a.partnerId }, expect: "not_found" }] },
  [routeKey("POST", "/api/admin/partners/[id]/[action]")]: {
    credentials: adminOnly,
    variants: (a) => ["suspend", "reject", "approve", "reinstate"].map((action) => ({ params: { id: a.partnerId, action }, body: { reason: "tenant B wants it" }, expect: "not_found" as const })),
  },
  [routeKey("GET", "/api/admin/oauth/clients")]: { credentials: adminOnly, variants: (a) => [{ expect: "not_found" }, { query: `?partner_id=${a.partnerId}`, expect: "not_found" }] },
  [routeKey("POST", "/api/admin/oauth/clients")]: { credentials: adminOnly, variants: (a) => [{ body: { name: "B's client in A", partner_id: a.partnerId, scopes: "groups:read" }, expect: "not_found" }] },
  [routeKey("DELETE", "/api/admin/oauth/clients/[id]")]: { credentials: adminOnly, variants: (a) => [{ params: { id: a.oauthClient.id }, expect: "not_found" }] },
  [routeKey("POST", "/api/admin/oauth/clients/[id]/[action]")]: {
    credentials: adminOnly,
    variants: (a) => ["rotate-secret", "disable", "enable"].map((action) => ({ params: { id: a.oauthClient.id, action }, expect: "not_found" as const })),
  },
  [routeKey("GET", "/api/admin/allowlist")]: { credentials: adminOnly, variants: () => [{ expect: "not_found" }] },
  [routeKey("POST", "/api/admin/allowlist")]: { credentials: adminOnly, variants: () => [{ body: { value: "tenant-b-takeover.test" }, expect: "not_found" }] },
  [routeKey("DELETE", "/api/admin/allowlist/[id]")]: { credentials: adminOnly, variants: (a) => [{ params: { id: a.partnerId }, expect: "not_found" }] },
  [routeKey("GET", "/api/admin/audit")]: { credentials: adminOnly, variants: (a) => [{ expect: "not_found" }, { query: `?partner_id=${a.partnerId}`, expect: "not_found" }] },
  [routeKey("GET", "/api/admin/audit/export")]: { credentials: adminOnly, variants: (a) => [{ expect: "not_found" }, { query: `?partner_id=${a.partnerId}`, expect: "not_found" }] },
  [routeKey("GET", "/api/admin/users")]: { credentials: adminOnly, variants: (a) => [{ expect: "not_found" }, { query: `?partner_id=${a.partnerId}`, expect: "not_found" }] },
  [routeKey("POST", "/api/admin/users/[id]/[action]")]: {
    credentials: adminOnly,
    variants: (a, b) => [
      { params: { id: b.user.id, action: "promote" }, expect: "not_found" }, // B's member making themself an admin
      { params: { id: a.user.id, action: "demote" }, expect: "not_found" },
    ],
  },
};

/**
 * Route methods that are not tenant-scoped, and why. Each is still fuzzed (fuzz.test.ts), and the CSRF test covers
 * the cookie-authenticated writes among them.
 */
const NOT_TENANT_SCOPED: Record<string, string> = {
  [routeKey("GET", "/.well-known/jwks.json")]: "public keys, the same for everyone",
  [routeKey("GET", "/.well-known/oauth-authorization-server")]: "RFC 8414 metadata",
  [routeKey("GET", "/.well-known/oauth-protected-resource")]: "RFC 9728 metadata",
  [routeKey("GET", "/.well-known/oauth-protected-resource/api/mcp")]: "RFC 9728 metadata",
  [routeKey("GET", "/api/health")]: "liveness",
  [routeKey("GET", "/api/health/ready")]: "readiness",
  [routeKey("GET", "/unavailable")]: "static outage page",
  [routeKey("GET", "/api/auth/[...nextauth]")]: "Auth.js: providers, CSRF token, the caller's own session",
  [routeKey("POST", "/api/auth/[...nextauth]")]: "Auth.js: sign-in start and sign-out of the caller's own session",
  [routeKey("POST", "/oauth/token")]: "issues tokens for the authenticated client's own tenant only (the token's org_id is the client's partner)",
  [routeKey("POST", "/auth/client")]: "exchanges the client's own credentials for a key in its own tenant",
  [routeKey("POST", "/oauth/register")]: "RFC 7591: registers a new app client, which belongs to no tenant (each person's grant does)",
  [routeKey("GET", "/portal/enter/[token]")]: "the magic-link secret is the credential; it names no other object",
  [routeKey("POST", "/portal/logout")]: "clears the caller's own cookie",
  [routeKey("GET", "/api/mcp")]: "stateless Streamable HTTP: no SSE stream to resume, carries no object",
  [routeKey("DELETE", "/api/mcp")]: "stateless Streamable HTTP: no session to end, carries no object",
  [routeKey("OPTIONS", "/api/mcp")]: "CORS preflight",
  [routeKey("GET", "/api/bench/mcp-ungated")]: "bench-only build flag; a 404 in every other build",
  [routeKey("POST", "/api/bench/mcp-ungated")]: "bench-only build flag; a 404 in every other build",
  [routeKey("DELETE", "/api/bench/mcp-ungated")]: "bench-only build flag; a 404 in every other build",
};

function created(response: HttpResult): void {
  expect(response.status).toBe(201);
}

/** The callback refused: 303 back to the integrations list with an `error`, connecting nothing. */
function refusedCallback(response: HttpResult): void {
  expect(response.status, response.text.slice(0, 200)).toBe(303);
  const location = new URL(response.headers.get("location") ?? "", HOSTILE_APP_URL);
  expect(location.pathname).toBe("/partner/integrations");
  expect(location.searchParams.get("error")).toBeTruthy();
}

/** 200 with no resource at all. */
function emptyResourcePage(response: HttpResult): void {
  expect(response.status, response.text.slice(0, 200)).toBe(200);
  expect(JSON.parse(response.text)).toMatchObject({ resources: [], total: 0 });
}

/** The pending consent rows of tenant A as seeded (read before the matrix), put back after a case consumed them. */
let aOAuthStates: Awaited<ReturnType<typeof db.integrationOAuthState.findMany>> = [];
async function restoreOAuthStates(a: Tenant): Promise<void> {
  for (const row of aOAuthStates) await db.integrationOAuthState.upsert({ where: { stateDigest: row.stateDigest }, create: row, update: {} });
  expect(await db.integrationOAuthState.count({ where: { partnerId: a.partnerId } })).toBe(aOAuthStates.length);
}

/**
 * MCP tools, each aimed at A. `error`: the tool must fail (A's object is "not found" for B); `own`: it must succeed
 * and show nothing of A's beyond the ids the call itself named.
 */
const MCP_CASES: Record<(typeof MCP_TOOL_NAMES)[number], (a: Tenant, b: Tenant) => { args: Record<string, unknown>; expect: "error" | "own" }[]> = {
  whoami: () => [{ args: {}, expect: "own" }],
  list_groups: () => [{ args: {}, expect: "own" }, { args: { page: 1 }, expect: "own" }],
  get_group: (a) => [
    { args: { group_id: a.groupId }, expect: "error" },
    { args: { group_id: a.emptyGroupId }, expect: "error" },
  ],
  check_membership: (a, b) => [
    { args: { group_id: a.groupId, user_id: a.colleague.id }, expect: "error" },
    // B's own group and A's user: a plain "not a member", exactly as for a user id that does not exist.
    { args: { group_id: b.groupId, user_id: a.colleague.id }, expect: "own" },
  ],
  list_clients: () => [{ args: {}, expect: "own" }],
  search_audit_log: () => [
    { args: {}, expect: "own" },
    { args: { action: "group.created", limit: 100 }, expect: "own" },
    { args: { action: "group.member_added", limit: 100 }, expect: "own" },
    { args: { action: "integration.created", limit: 100 }, expect: "own" },
  ],
  list_integrations: () => [{ args: {}, expect: "own" }, { args: { page: 1 }, expect: "own" }],
  list_integration_resources: (a, b) => [
    { args: { integration_id: a.integration.id }, expect: "error" },
    { args: { integration_id: a.integration.id, type: "user", risk: "critical" }, expect: "error" },
    { args: { integration_id: b.integration.id }, expect: "own" },
    // B's own integration searched for A's user: nothing of A's.
    { args: { integration_id: b.integration.id, query: a.resource.email }, expect: "own" },
  ],
};

/** Every identifier and name of A that must never show up in B's answers. */
const aMarkers = (a: Tenant) => [
  a.partnerId, a.user.id, a.user.email, a.colleague.id, a.groupId, a.groupName, a.emptyGroupId, a.apiKey.id, a.oauthClient.id, a.oauthClient.clientId, a.portalClientId, a.projectId, a.unlinkedProjectId, a.portalLink.id, a.invitationId,
  a.integration.id, a.integration.name, a.integration.directory, a.syncJobId, a.resource.id, a.resource.name, a.resource.email,
];

/** The markers the request did not itself name (echoing the caller's own input back is not a leak). */
const unrequested = (markers: string[], request: string) => markers.filter((marker) => !request.includes(marker) && !request.includes(encodeURIComponent(marker)));

let app: ProductionInstance;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  app = await startUnlimitedInstance("isolation");
  a = await seedTenant("A", app.url);
  b = await seedTenant("B", app.url);
  aOAuthStates = await db.integrationOAuthState.findMany({ where: { partnerId: a.partnerId } });
});
afterAll(async () => {
  await app?.stop();
});

describe("tenant isolation matrix", () => {
  it("classifies every route of the manifest as tenant-scoped or, with a reason, not", () => {
    const manifest = routeMethods();
    const unclassified = manifest.filter(({ key }) => !(key in TENANT_SCOPED) && !(key in NOT_TENANT_SCOPED)).map(({ key }) => key);
    const both = manifest.filter(({ key }) => key in TENANT_SCOPED && key in NOT_TENANT_SCOPED).map(({ key }) => key);
    const stale = [...Object.keys(TENANT_SCOPED), ...Object.keys(NOT_TENANT_SCOPED)].filter((key) => !manifest.some((entry) => entry.key === key));
    expect(unclassified, "routes in neither list: add them to TENANT_SCOPED or NOT_TENANT_SCOPED").toEqual([]);
    expect(both).toEqual([]);
    expect(stale, "table entries for routes that no longer exist").toEqual([]);
    expect(Object.keys(MCP_CASES).sort()).toEqual([...MCP_TOOL_NAMES].sort());
  });

  it("answers tenant B's principals 404 (or nothing of A's) for every tenant-scoped route aimed at tenant A", async () => {
    const before = await tenantSnapshot(a.partnerId);
    const markers = aMarkers(a);
    const failures: string[] = [];
    let cases = 0;
    const byExpectation = { not_found: 0, own_data_only: 0, specific: 0, mcp_tool: 0 };

    for (const { route, method, key } of routeMethods()) {
      const scoped = TENANT_SCOPED[key];
      if (!scoped) continue;
      for (const credential of scoped.credentials) {
        for (const variant of scoped.variants(a, b)) {
          const path = fillPattern(route.pattern, variant.params ?? {}) + (variant.query ?? "");
          const label = `${credential} ${method} ${path}`;
          const response = await send(app.url, method as HttpMethod, path, { headers: credentialHeaders(b, credential), body: variant.body });
          cases++;
          try {
            const answer = response.text + [...response.headers.values()].join("\n");
            const leaked = unrequested(markers, path + JSON.stringify(variant.body ?? "")).filter((marker) => answer.includes(marker));
            expect(leaked, `${label} answered with A's data`).toEqual([]);
            if (variant.expect === "not_found") {
              byExpectation.not_found++;
              expect(response.status, `${label}: ${response.text.slice(0, 200)}`).toBe(404);
            } else if (variant.expect === "own_data_only") {
              byExpectation.own_data_only++;
              expect(response.status, `${label}: ${response.text.slice(0, 200)}`).toBe(200);
              // …and it really is B's view (a list that came back empty for everyone would prove nothing).
              expect(aMarkers(b).some((marker) => response.text.includes(marker)), `${label} showed none of B's own data`).toBe(true);
            } else {
              byExpectation.specific++;
              variant.expect(response);
            }
          } catch (error) {
            failures.push((error as Error).message.split("\n")[0]!);
          }
          await variant.cleanup?.();
        }
      }
    }

    for (const [tool, toolCases] of Object.entries(MCP_CASES)) {
      for (const { args, expect: expected } of toolCases(a, b)) {
        for (const [credential, bearer] of [["apiKey", b.apiKey.secret], ["mcpToken", b.mcpToken]] as const) {
          const { status, rpc } = await mcpRequest(app.url, bearer, { method: "tools/call", params: { name: tool, arguments: args } });
          cases++;
          byExpectation.mcp_tool++;
          const label = `${credential} MCP ${tool}(${JSON.stringify(args)})`;
          const text = JSON.stringify(rpc ?? null);
          const leaked = unrequested(markers, JSON.stringify(args)).filter((marker) => text.includes(marker));
          if (status !== 200 || !rpc?.result) failures.push(`${label}: HTTP ${status} ${text.slice(0, 200)}`);
          else if (leaked.length) failures.push(`${label} answered with A's data: ${leaked.join(", ")}`);
          else if ((expected === "error") !== (rpc.result.isError === true)) failures.push(`${label}: expected ${expected}, got ${text.slice(0, 200)}`);
        }
      }
    }

    console.log(
      `[hostile] isolation matrix: ${cases} cases (${byExpectation.not_found} expecting 404, ${byExpectation.own_data_only} own-data-only, ` +
        `${byExpectation.specific} route-specific, ${byExpectation.mcp_tool} MCP tool calls) over ${Object.keys(TENANT_SCOPED).length} tenant-scoped route methods`,
    );
    expect(failures).toEqual([]);
    expect(await tenantSnapshot(a.partnerId), "tenant A changed").toBe(before);
  });

  it("leaves every credential of tenant A working after B's attempts", async () => {
    expect((await send(app.url, "GET", `/api/auth/groups/${a.groupId}`, { headers: { authorization: `Bearer ${a.apiToken}` } })).status).toBe(200);
    expect((await send(app.url, "GET", `/api/auth/groups/${a.groupId}/members/${a.colleague.id}`, { headers: { "x-api-key": a.apiKey.secret } })).status).toBe(200);
    expect((await send(app.url, "GET", "/api/partner/me", { headers: { cookie: a.sessionCookie } })).status).toBe(200);
    expect((await send(app.url, "GET", `/portal/api/projects/${a.projectId}`, { headers: { cookie: a.portalCookie } })).status).toBe(200);
    const whoami = await mcpRequest(app.url, a.mcpToken, { method: "tools/call", params: { name: "whoami", arguments: {} } });
    expect(whoami.rpc?.result?.structuredContent).toMatchObject({ organization: { id: a.partnerId } });
    // A's integration, its job and what it found are all still there for A.
    const resources = await send(app.url, "GET", `/api/integrations/${a.integration.id}/resources?q=${encodeURIComponent(a.resource.email)}`, { headers: { "x-api-key": a.apiKey.secret } });
    expect(resources.status, resources.text.slice(0, 200)).toBe(200);
    expect(JSON.parse(resources.text)).toMatchObject({ total: 1, resources: [{ name: a.resource.name, email: a.resource.email }] });
    const job = await send(app.url, "GET", `/api/integrations/${a.integration.id}/sync-jobs/${a.syncJobId}`, { headers: { authorization: `Bearer ${a.apiToken}` } });
    expect(job.status, job.text.slice(0, 200)).toBe(200);
    expect(JSON.parse(job.text)).toMatchObject({ id: a.syncJobId, status: "succeeded" });
    const listed = await mcpRequest(app.url, a.mcpToken, { method: "tools/call", params: { name: "list_integration_resources", arguments: { integration_id: a.integration.id, query: a.resource.name } } });
    expect(listed.rpc?.result?.structuredContent).toMatchObject({ total: 1, resources: [{ name: a.resource.name, risk_level: "critical" }] });
  });
});
