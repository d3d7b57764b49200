/**
 * Fixtures and HTTP helpers for the multi-process hostile tests (two instances, faults, rate limits, log scan).
 *
 * Rows are written through lib/ (the same functions the product uses, so every row has its audit event), into the
 * database `db` points at (process.env.DATABASE_URL). Requests then go to real `next start` instances.
 */
import { readFileSync } from "node:fs";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import path from "node:path";
import { ROOT } from "../../../scripts/lib/env-files.ts";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { createGroup } from "@/lib/groups/groups";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { createClient, issueAccessLink } from "@/lib/portal/clients";
import { createPartner, createUser, sessionCookieFor, unique } from "../../integration/support.ts";
import { HOSTILE_DIST_DIR } from "./production.ts";

/** Every scope the services in these tests need. */
const CLIENT_SCOPES = ["groups:read", "groups:write", "members:read", "members:write", "mcp:tools", "partner:read"];

export interface HostileTenant {
  partnerId: string;
  memberId: string;
  /** `Cookie` header of the member's live Auth.js session (`__Secure-authjs.session-token=…`). */
  memberCookie: string;
  /** The raw session token inside `memberCookie`. */
  sessionToken: string;
  /** `Cookie` header of an admin's live session (admins have no partner). */
  adminCookie: string;
  oauthClient: { clientId: string; clientSecret: string };
  /** A member's API key with mcp:tools, groups:read and partner:read. */
  apiKey: { id: string; secret: string };
  portal: { clientId: string; linkId: string; linkSecret: string };
  groupId: string;
}

/** The Auth.js session cookie under https (`__Secure-` prefix), for a new live session of `userId`. */
export async function secureSessionCookie(userId: string): Promise<{ cookie: string; token: string }> {
  const plain = await sessionCookieFor(userId);
  return { cookie: `__Secure-${plain}`, token: plain.slice(plain.indexOf("=") + 1) };
}

/**
 * Seeds one approved partner with a member (and session), an admin session, an OAuth client (secret returned), an API
 * key, a portal client with one live link, and a group.
 */
export async function seedTenant(): Promise<HostileTenant> {
  const partner = await createPartner();
  const member = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const admin = await createUser({ role: "admin" });
  const actor = { type: "user" as const, id: member.id };
  const memberSession = await secureSessionCookie(member.id);
  const adminSession = await secureSessionCookie(admin.id);
  const { client, clientSecret } = await createOAuthClientAsAdmin({ name: unique("svc"), partner_id: partner.id, scopes: CLIENT_SCOPES }, systemAdminActor());
  const { apiKey, key } = await createApiKey(partner.id, member.id, { name: unique("key"), scopes: ["mcp:tools", "groups:read", "partner:read"] }, actor);
  const portalClient = await createClient(partner.id, { name: unique("Client") }, actor);
  const { url, link } = await issueAccessLink(partner.id, portalClient.id, { label: "Hostile" }, actor);
  const group = await createGroup(partner.id, { name: unique("group") }, actor);
  return {
    partnerId: partner.id,
    memberId: member.id,
    memberCookie: memberSession.cookie,
    sessionToken: memberSession.token,
    adminCookie: adminSession.cookie,
    oauthClient: { clientId: client.clientId, clientSecret },
    apiKey: { id: key.id, secret: apiKey },
    portal: { clientId: portalClient.id, linkId: link.id, linkSecret: url.split("/portal/enter/")[1]! },
    groupId: group.id,
  };
}

/** `Authorization: Basic …` for an OAuth client (RFC 6749 §2.3.1: form-urlencoded id and secret). */
export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`;
}

/** `POST /oauth/token` (client_credentials, client_secret_basic) on `baseUrl`; the raw response. */
export function requestToken(baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<Response> {
  const form = new URLSearchParams({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });
  return fetch(`${baseUrl}/oauth/token`, {
    method: "POST",
    headers: { authorization: basicAuth(clientId, clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
}

/** An access token from `baseUrl`, or an Error naming the status. */
export async function accessToken(baseUrl: string, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const response = await requestToken(baseUrl, clientId, clientSecret, scope);
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** An MCP `initialize` POST to `/api/mcp` with the given credential headers. */
export function mcpInitialize(baseUrl: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}/api/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "hostile", version: "1" } } }),
  });
}

/**
 * Follows a magic link (`GET /portal/enter/{secret}`, no redirect) and returns the portal cookie as a `Cookie` header.
 * @throws Error when the link is refused (no 303 with a cookie)
 */
export async function enterPortalCookie(baseUrl: string, linkSecret: string): Promise<string> {
  const response = await fetch(`${baseUrl}/portal/enter/${linkSecret}`, { redirect: "manual" });
  const setCookie = response.headers.get("set-cookie");
  if (response.status !== 303 || !setCookie) throw new Error(`portal enter answered ${response.status}`);
  return setCookie.split(";")[0]!;
}

/** The build's id for a server action, from `<build>/server/server-reference-manifest.json`. */
export function serverActionId(file: string, exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, HOSTILE_DIST_DIR, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename: string; exportedName: string }>;
  };
  const id = Object.entries(manifest.node).find(([, entry]) => entry.filename === file && entry.exportedName === exportedName)?.[0];
  if (!id) throw new Error(`no server action ${exportedName} in ${file} in the ${HOSTILE_DIST_DIR} build`);
  return id;
}

/**
 * Calls a `useActionState` server action `(previousState, formData)` over HTTP the way React's client does: a
 * multipart body whose part `0` is the argument list (`[null, "$K1"]`, `$K1` = the form fields, sent as parts `_1_<name>`, as React 19's encodeReply does),
 * with `Next-Action: <id>` and a same-origin `Origin`.
 * @returns the status and the RSC payload (text/x-component), which carries the action's result
 */
export async function callServerAction(
  baseUrl: string,
  options: { page: string; file: string; action: string; fields: Record<string, string>; cookie: string },
): Promise<{ status: number; body: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(options.fields)) form.append(`_1_${name}`, value);
  form.append("0", JSON.stringify([null, "$K1"]));
  const response = await fetch(`${baseUrl}${options.page}`, {
    method: "POST",
    headers: { "next-action": serverActionId(options.file, options.action), accept: "text/x-component", origin: baseUrl, cookie: options.cookie },
    body: form,
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Two disjoint 20-character windows of the part of a secret no log line may hold (display prefixes such as `mg_4fT9ab`
 * are shown on purpose; for a JWT, its signature; for a cookie, its value). A one-character variant of the secret
 * still contains one of them, so a logged wrong guess is caught as well as the secret itself.
 */
export function secretNeedles(secret: string): [string, string] {
  const prefixed = /^(mg|gcs|gpl)_/.exec(secret);
  const core = prefixed ? secret.slice(prefixed[0].length + 6) : secret.split(".").length === 3 ? secret.split(".")[2]! : secret.slice(secret.indexOf("=") + 1);
  return [core.slice(0, 20), core.slice(-20)];
}
