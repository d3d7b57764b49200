/**
 * Fixtures for the hostile suite's HTTP tests: a production instance with rate limits out of the way, fully
 * equipped tenants (a principal of every kind), and a snapshot of everything a tenant owns so a test can prove
 * that no write went through. Rows are built with the integration layer's builders and lib/ functions.
 */
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
import { createPartner, createUser, sessionCookieFor, unique } from "../../integration/support.ts";
import { HOSTILE_APP_URL, HOSTILE_SECRETS, startProductionInstance, type ProductionInstance } from "./production.ts";

/** Rate limits far above anything these tests send, so the limiter never decides an outcome here. */
export const UNLIMITED_RATE_LIMITS = {
  RATE_LIMIT_TOKEN_PER_MINUTE: "1000000",
  RATE_LIMIT_SIGN_IN_PER_MINUTE: "1000000",
  RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE: "1000000",
  RATE_LIMIT_PORTAL_ENTER_PER_MINUTE: "1000000",
};

/**
 * Points this test process's configuration at the production instances' (same AUTH_URL and secrets), so cookies
 * sealed and links issued here are the ones the instances accept. Call before seeding.
 */
export function useInstanceConfigInProcess(): void {
  process.env.AUTH_URL = HOSTILE_APP_URL;
  process.env.AUTH_SECRET = HOSTILE_SECRETS.AUTH_SECRET;
  process.env.PORTAL_SESSION_PASSWORD = HOSTILE_SECRETS.PORTAL_SESSION_PASSWORD;
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
    secrets: [clientSecret, apiKey, url.split("/portal/enter/")[1]!, sessionCookie.split("=")[1]!, apiToken, mcpToken, portalCookie.slice(portalCookie.indexOf("=") + 1)],
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
  return JSON.stringify({ partner, users, groups, memberships, apiKeys, oauthClients, clients, accessTokens, projects, sessions, audit, revoked, invitations });
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
