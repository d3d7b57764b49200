/**
 * Fixtures for the hostile suite's HTTP tests: a production instance with rate limits out of the way, fully
 * equipped tenants (a principal of every kind), and a snapshot of everything a tenant owns so a test can prove
 * that no write went through. Rows are built with the integration layer's builders and lib/ functions.
 */
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { resetConfigForTests } from "@/lib/config";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { addGroupMember, createGroup } from "@/lib/groups/groups";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { createInvitation } from "@/lib/partners/invitations";
import { ALL_SCOPES } from "@/lib/oauth/scopes";
import { createClient, issueAccessLink } from "@/lib/portal/clients";
import { createProject } from "@/lib/portal/projects";
import { portalCookieName, sealPortalSession } from "@/lib/portal/session";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { sealCredentials } from "@/lib/integrations/credentials";
import { createPartner, createUser, sessionCookieFor, unique } from "../../integration/support.ts";
import { HOSTILE_APP_URL, HOSTILE_AWS_PRINCIPAL_ARN, HOSTILE_SECRETS, startProductionInstance, type ProductionInstance } from "./production.ts";

/** Rate limits far above anything these tests send, so the limiter never decides an outcome here. */
export const UNLIMITED_RATE_LIMITS = {
  RATE_LIMIT_TOKEN_PER_MINUTE: "1000000",
  RATE_LIMIT_SIGN_IN_PER_MINUTE: "1000000",
  RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE: "1000000",
  RATE_LIMIT_PORTAL_ENTER_PER_MINUTE: "1000000",
};

/**
 * Points this test process's configuration at the production instances' (same AUTH_URL and secrets, the same
 * integration master key and AWS principal), so cookies sealed, links issued and credentials sealed here are the ones
 * the instances accept, and AWS integrations can be created here as there. Call before seeding.
 */
export function useInstanceConfigInProcess(): void {
  process.env.AUTH_URL = HOSTILE_APP_URL;
  process.env.AUTH_SECRET = HOSTILE_SECRETS.AUTH_SECRET;
  process.env.PORTAL_SESSION_PASSWORD = HOSTILE_SECRETS.PORTAL_SESSION_PASSWORD;
  process.env.INTEGRATION_MASTER_KEYS = HOSTILE_SECRETS.INTEGRATION_MASTER_KEYS;
  process.env.AWS_INTEGRATION_PRINCIPAL_ARN = HOSTILE_AWS_PRINCIPAL_ARN;
  resetConfigForTests();
}

/**
 * A `next start` instance on the hostile database with every rate limit lifted (and the in-process config aligned).
 */
export async function startUnlimitedInstance(name: string, env: Record<string, string> = {}): Promise<ProductionInstance> {
  useInstanceConfigInProcess();
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set (the hostile global setup sets it)");
  // LOCAL_IDP_URL: "" so a test that points this process at the local issuer never leaks it into production.
  return startProductionInstance({ databaseUrl, name, env: { ...UNLIMITED_RATE_LIMITS, LOCAL_IDP_URL: "", ...env } });
}

/** Forgets every rate-limit window (the table is shared by all instances). */
export async function clearRateLimits(): Promise<void> {
  await db.rateLimitBucket.deleteMany({});
}

/** A live Auth.js session for the user, as the production (https) cookie: `__Secure-authjs.session-token=…`. */
export async function productionSessionCookie(userId: string): Promise<string> {
  const cookie = await sessionCookieFor(userId);
  return `${sessionCookieName(true)}=${cookie.slice(cookie.indexOf("=") + 1)}`;
}

/** A sealed portal cookie (`__Host-gatehouse_portal=…`) for an access token, as /portal/enter would set it. */
export async function portalCookieFor(accessTokenId: string, preview = false): Promise<string> {
  return `${portalCookieName()}=${await sealPortalSession({ accessTokenId, preview })}`;
}

/** Headers of a same-origin browser write (the CSRF check wants Gatehouse's own Origin). */
export const SAME_ORIGIN = { origin: HOSTILE_APP_URL } as const;

/**
 * Client-credentials token from the instance (RFC 6749 §4.4, client_secret_basic).
 * @param resource `mcp` for the MCP endpoint's audience; the REST API's otherwise
 * @throws Error when the instance does not issue one
 */
export async function fetchAccessToken(baseUrl: string, client: { clientId: string; secret: string }, resource?: "mcp"): Promise<string> {
  const body = new URLSearchParams({ grant_type: "client_credentials", scope: ALL_SCOPES.join(" ") });
  if (resource === "mcp") body.set("resource", `${HOSTILE_APP_URL}/api/mcp`);
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}` },
    body,
  });
  const json = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !json.access_token) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(json)}`);
  return json.access_token;
}

export interface Tenant {
  label: string;
  partnerId: string;
  /** The approved member every session-cookie request acts as (owner of the API key). */
  user: { id: string; email: string };
  /** A colleague, member of `groupId`. */
  colleague: { id: string };
  groupId: string;
  groupName: string;
  /** A second group, with no members. */
  emptyGroupId: string;
  sessionCookie: string;
  oauthClient: { id: string; clientId: string; secret: string };
  /** Bearer tokens with every scope, for the REST API and for the MCP endpoint. */
  apiToken: string;
  mcpToken: string;
  apiKey: { id: string; secret: string };
  portalClientId: string;
  projectId: string;
  /** A project without a client (what operator preview provisions for). */
  unlinkedProjectId: string;
  portalLink: { id: string; url: string };
  portalCookie: string;
  /** An open invitation to the partner. */
  invitationId: string;
  /**
   * A connected Okta integration (rows written directly: the hostile instances have no Okta app configured), its
   * sealed tokens (`accessToken` is in `secrets`), one finished sync job and what it found: a user and a group.
   */
  integration: { id: string; name: string; directory: string; accessToken: string };
  syncJobId: string;
  /** The user the sync found: a name and email no other tenant has. */
  resource: { id: string; name: string; email: string };
  /**
   * A pending consent for the integration (`IntegrationOAuthState`), started by `user` in the session of
   * `sessionCookie`: the raw `state` a provider would send back to the callback (only its SHA-256 is stored).
   */
  oauthState: string;
  /** Every secret issued for this tenant, for leak checks. */
  secrets: string[];
}

/**
 * An approved partner with one of everything: members, groups (one with a member), an OAuth client with every scope
 * and its two tokens, an API key with every scope, a portal client with a project and a link, and the cookies.
 * @param baseUrl a running instance (tokens are issued by it, so their issuer and audience are the instance's)
 */
export async function seedTenant(label: string, baseUrl: string): Promise<Tenant> {
  const partner = await createPartner({ name: `${label} ${unique("partner")}` });
  const user = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const colleague = await createUser({ partnerId: partner.id });
  const actor = { type: "user" as const, id: user.id };
  const groupName = `${label} group ${unique("g")}`;
  const group = await createGroup(partner.id, { name: groupName, description: `${label}'s team` }, actor);
  await addGroupMember(partner.id, group.id, colleague.id, actor);
  const emptyGroup = await createGroup(partner.id, { name: `${label} empty ${unique("g")}` }, actor);
  const { client, clientSecret } = await createOAuthClientAsAdmin({ name: `${label} service`, partner_id: partner.id, scopes: ALL_SCOPES.join(" ") }, systemAdminActor());
  const oauthClient = { id: client.id, clientId: client.clientId, secret: clientSecret };
  const { apiKey, key } = await createApiKey(partner.id, user.id, { name: `${label} key`, scopes: [...ALL_SCOPES] }, actor);
  const portalClient = await createClient(partner.id, { name: `${label} customer ${unique("c")}` }, actor);
  const project = await createProject(partner.id, { name: `${label} website`, client_id: portalClient.id, notes: `${label} notes` }, actor);
  const unlinkedProject = await createProject(partner.id, { name: `${label} internal` }, actor);
  const { url, link } = await issueAccessLink(partner.id, portalClient.id, { label: `${label} contact` }, actor);
  const invitation = await createInvitation(partner.id, { email: `invitee-${unique(label.toLowerCase())}@example.test` }, { ...actor, partnerRole: "owner" });
  const sessionCookie = await productionSessionCookie(user.id);
  const portalCookie = await portalCookieFor(link.id);
  const apiToken = await fetchAccessToken(baseUrl, oauthClient);
  const mcpToken = await fetchAccessToken(baseUrl, oauthClient, "mcp");
  const directory = await seedDirectoryIntegration(label, partner.id, user.id, sessionCookie);
  return {
    label,
    partnerId: partner.id,
    user: { id: user.id, email: user.email! },
    colleague: { id: colleague.id },
    groupId: group.id,
    groupName,
    emptyGroupId: emptyGroup.id,
    sessionCookie,
    oauthClient,
    apiToken,
    mcpToken,
    apiKey: { id: key.id, secret: apiKey },
    portalClientId: portalClient.id,
    projectId: project.id,
    unlinkedProjectId: unlinkedProject.id,
    portalLink: { id: link.id, url },
    portalCookie,
    invitationId: invitation.id,
    ...directory.tenant,
    secrets: [clientSecret, apiKey, url.split("/portal/enter/")[1]!, sessionCookie.split("=")[1]!, apiToken, mcpToken, portalCookie.slice(portalCookie.indexOf("=") + 1), ...directory.secrets],
  };
}

const sha256Hex = (value: string) => createHash("sha256").update(value).digest("hex");

/**
 * A connected Okta integration as the OAuth callback and a sync would have left it, written with Prisma: tokens
 * sealed with lib/integrations/credentials.ts (under the instances' master key, see useInstanceConfigInProcess),
 * a succeeded sync job, two resources it found, and a pending consent state bound to the session of `sessionCookie`.
 * The directory is under `.test` (RFC 2606), so nothing here can reach a real Okta org.
 */
async function seedDirectoryIntegration(label: string, partnerId: string, userId: string, sessionCookie: string) {
  const tag = unique(label.toLowerCase().replace(/[^a-z0-9]/g, ""));
  const directory = `https://${tag}.okta.test`;
  const name = `${label} Okta ${unique("i")}`;
  const accessToken = `okta-access-${randomBytes(24).toString("base64url")}`;
  const refreshToken = `okta-refresh-${randomBytes(24).toString("base64url")}`;
  const finishedAt = new Date();
  const integration = await db.integration.create({
    data: { partnerId, provider: "okta", name, status: "connected", directory, grantedScopes: ["okta.users.read", "okta.groups.read", "okta.roles.read"], createdById: userId, lastSyncAt: finishedAt, lastSyncStatus: "succeeded" },
  });
  const sealed = sealCredentials({ partnerId, integrationId: integration.id, provider: "okta" }, { access_token: accessToken, refresh_token: refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
  await db.integration.update({ where: { id: integration.id }, data: { credentials: sealed.sealed, credentialsKeyId: sealed.keyId } });
  const job = await db.syncJob.create({
    data: { integrationId: integration.id, partnerId, status: "succeeded", trigger: "connect", requestedById: userId, activeFor: null, attempts: 1, counts: { user: 1, group: 1 }, progress: { user: 1, group: 1 }, startedAt: new Date(finishedAt.getTime() - 2000), finishedAt },
  });
  const person = { name: `${label} Directory Admin ${unique("u")}`, email: `${tag}-admin@directory.example.test` };
  const resource = await db.integrationResource.create({
    data: { integrationId: integration.id, partnerId, type: "user", externalId: `00u${tag}`, name: person.name, email: person.email, attributes: { status: "ACTIVE", mfa: false, admin_roles: ["SUPER_ADMIN"] }, riskLevel: "critical", riskReasons: ["Super administrator without MFA"], lastSeenJobId: job.id },
  });
  await db.integrationResource.create({
    data: { integrationId: integration.id, partnerId, type: "group", externalId: `00g${tag}`, name: `${label} Everyone ${unique("g")}`, attributes: { members: 1 }, riskLevel: "low", riskReasons: [], lastSeenJobId: job.id },
  });
  const state = randomBytes(32).toString("base64url");
  const session = await db.session.findUniqueOrThrow({ where: { sessionToken: sessionCookie.slice(sessionCookie.indexOf("=") + 1) }, select: { id: true } });
  await db.integrationOAuthState.create({
    data: {
      stateDigest: sha256Hex(state),
      integrationId: integration.id,
      partnerId,
      provider: "okta",
      sessionDigest: sha256Hex(session.id),
      userId,
      codeVerifier: sealCredentials({ partnerId, integrationId: integration.id, provider: "okta" }, { code_verifier: randomBytes(32).toString("base64url") }).sealed,
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  return {
    tenant: { integration: { id: integration.id, name, directory, accessToken }, syncJobId: job.id, resource: { id: resource.id, name: person.name, email: person.email }, oauthState: state },
    secrets: [accessToken, refreshToken, sealed.sealed, state],
  };
}

/**
 * Everything a tenant owns, as comparable JSON, without what legitimate reads change (API-key usage counters,
 * link last-use stamps). Equal snapshots before and after a test mean no write reached the tenant.
 */
export async function tenantSnapshot(partnerId: string): Promise<string> {
  const [partner, users, groups, memberships, apiKeys, oauthClients, clients, accessTokens, projects, sessions, audit, invitations] = await Promise.all([
    db.partner.findUniqueOrThrow({ where: { id: partnerId } }),
    db.user.findMany({ where: { partnerId }, orderBy: { id: "asc" }, select: { id: true, email: true, name: true, role: true, partnerRole: true, partnerId: true } }),
    db.group.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.groupMembership.findMany({ where: { group: { partnerId } }, orderBy: [{ groupId: "asc" }, { userId: "asc" }] }),
    db.apiKey.findMany({ where: { partnerId }, orderBy: { id: "asc" }, omit: { usageCount: true, lastUsedAt: true } }),
    db.oAuthClient.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.client.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.clientAccessToken.findMany({ where: { client: { partnerId } }, orderBy: { id: "asc" }, omit: { lastUsedAt: true } }),
    db.project.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.session.count({ where: { user: { partnerId } } }),
    db.auditEvent.count({ where: { partnerId, NOT: { action: { in: ["portal.entered"] } } } }),
    db.partnerInvitation.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
  ]);
  const revoked = await db.revokedToken.count({ where: { clientId: { in: oauthClients.flatMap((c) => [c.id, c.clientId]) } } });
  // Integrations: no read changes any of these rows (only syncs and writes do).
  const [integrations, syncJobs, resources, oauthStates] = await Promise.all([
    db.integration.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.syncJob.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.integrationResource.findMany({ where: { partnerId }, orderBy: { id: "asc" } }),
    db.integrationOAuthState.findMany({ where: { partnerId }, orderBy: { stateDigest: "asc" } }),
  ]);
  return JSON.stringify({ partner, users, groups, memberships, apiKeys, oauthClients, clients, accessTokens, projects, sessions, audit, revoked, invitations, integrations, syncJobs, resources, oauthStates });
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/** One request to an instance, redirects not followed; `body` objects go out as JSON. */
export async function send(baseUrl: string, method: string, path: string, init: { headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: "manual" });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** MCP Streamable HTTP request headers with a credential (`Authorization: Bearer mg_…` or a JWT). */
export const mcpHeaders = (bearer: string) => ({ authorization: `Bearer ${bearer}`, accept: "application/json, text/event-stream", "content-type": "application/json" });

/**
 * One JSON-RPC message to /api/mcp (stateless: no initialize needed), answered as JSON or as one SSE event.
 * @returns the HTTP status and the JSON-RPC response (undefined when the body carried none, e.g. a 401)
 */
export async function mcpRequest(baseUrl: string, bearer: string, message: { method: string; params?: unknown; id?: number }): Promise<{ status: number; rpc?: { result?: { isError?: boolean; content?: { text: string }[]; structuredContent?: unknown }; error?: { code: number; message: string } } }> {
  const response = await send(baseUrl, "POST", "/api/mcp", { headers: mcpHeaders(bearer), body: { jsonrpc: "2.0", id: message.id ?? 1, method: message.method, params: message.params ?? {} } });
  const data = response.headers.get("content-type")?.includes("text/event-stream")
    ? response.text.split("\n").find((line) => line.startsWith("data: "))?.slice("data: ".length)
    : response.text;
  let rpc;
  try {
    rpc = data ? JSON.parse(data) : undefined;
  } catch {
    rpc = undefined;
  }
  return { status: response.status, rpc };
}
