/**
 * The local directory emulator's read APIs (scripts/lib/local-directories), in each provider's wire shape, for the
 * calls Gatehouse's connectors make:
 * - Okta Management API (`/okta/<org>/api/v1/...`; https://developer.okta.com/docs/api/): users (`limit`, `after`,
 *   `filter=status eq "…"`; DEPROVISIONED users only when filtered for, as Okta does), groups, group members,
 *   `/iam/assignees/users`, `/users/{id}/roles`; RFC 8288 `Link` pagination; X-Rate-Limit-Limit/Remaining/Reset
 *   (epoch seconds) on every response, a 1,000 requests per minute window per org, 429 E0000047 past it.
 * - Google Admin SDK Directory API (`/google/admin/directory/v1/...`;
 *   https://developers.google.com/admin-sdk/directory/reference/rest): users and groups of `customer=my_customer`
 *   (or `domain=`), group members, roles and role assignments; `maxResults` / `pageToken` / `nextPageToken`
 *   (out-of-range `maxResults` is a 400, as Google answers); 429 RESOURCE_EXHAUSTED with Retry-After.
 * - Microsoft Graph v1.0 (`/entra/graph/v1.0/...`; https://learn.microsoft.com/graph/api/overview): users, groups,
 *   group members, directoryRoles (`$expand=members` returns at most 20, as Graph does) and their members,
 *   organization; `$select` (only the default properties without it), `$top` (1 to 999), `@odata.nextLink`;
 *   429 TooManyRequests with Retry-After.
 *
 * Every request needs `Authorization: Bearer` with a token the local authorization servers issued (TokenRegistry)
 * for this provider and directory (401 in the provider's shape otherwise) holding a scope the endpoint accepts (403
 * insufficient_scope otherwise). Google and Graph serve the token's own directory; Okta only the org in the path.
 * Faults (shared.ts): `delayMs` delays every API response; `throttleEvery = N` answers every Nth API request 429.
 */
import { createHash, randomBytes } from "node:crypto";
import type http from "node:http";
import type { DirectoryProvider, EmulatorContext, EmulatorHandler, IssuedAccessToken } from "./shared.ts";
import type { DirectoryGroup, DirectoryRole, DirectoryUser, StoredDirectory } from "./store.ts";

interface Route {
  provider: DirectoryProvider;
  /** Okta only: the org name from the path. */
  org: string;
  /** The path below the API's version prefix, split and decoded. */
  path: string[];
}

interface Call {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  url: URL;
  context: EmulatorContext;
  route: Route;
  /** This request is the Nth of `faults.throttleEvery`. */
  throttled: boolean;
}

/** API requests served per emulator (the `throttleEvery` counter). */
const apiRequests = new WeakMap<EmulatorContext, number>();

/** The emulator's API handler: false for paths outside the three APIs. */
export const handleApi: EmulatorHandler = async (request, response, url, context) => {
  const route = routeOf(url.pathname);
  if (!route) return false;
  if (context.faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, context.faults.delayMs));
  const count = (apiRequests.get(context) ?? 0) + 1;
  apiRequests.set(context, count);
  const throttled = context.faults.throttleEvery > 0 && count % context.faults.throttleEvery === 0;
  const call: Call = { request, response, url, context, route, throttled };
  if (request.method !== "GET") {
    send(response, 405, { error: "method_not_allowed" }, { allow: "GET" });
    return true;
  }
  if (route.provider === "okta") okta(call);
  else if (route.provider === "google") google(call);
  else entra(call);
  return true;
};

function routeOf(pathname: string): Route | null {
  const split = (rest: string) => rest.split("/").filter(Boolean).map((part) => decodeURIComponent(part));
  let match = /^\/okta\/([a-z0-9-]+)\/api\/v1\/(.+)$/i.exec(pathname);
  if (match) return { provider: "okta", org: match[1]!, path: split(match[2]!) };
  match = /^\/google\/admin\/directory\/v1\/(.+)$/.exec(pathname);
  if (match) return { provider: "google", org: "", path: split(match[1]!) };
  match = /^\/entra\/graph\/v1\.0\/(.+)$/.exec(pathname);
  if (match) return { provider: "entra", org: "", path: split(match[1]!) };
  return null;
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
}

/** The access token's grant when it is a live token of `provider` (and, when given, of `directory`). */
function bearer(call: Call, directory: string | null): IssuedAccessToken | null {
  const token = /^Bearer (\S+)$/i.exec(call.request.headers.authorization ?? "")?.[1];
  const info = token ? call.context.tokens.lookup(token) : null;
  if (!info || info.provider !== call.route.provider) return null;
  if (directory !== null && info.directory.toLowerCase() !== directory.toLowerCase()) return null;
  return call.context.store.has(info.provider, info.directory) ? info : null;
}

/** Whether the grant holds one of `accepted` (Google's and Graph's URL prefixes optional; Graph case-insensitive). */
function holdsScope(info: IssuedAccessToken, accepted: string[]): boolean {
  const short = (scope: string) => scope.replace(/^https:\/\/www\.googleapis\.com\/auth\//, "").replace(/^https:\/\/graph\.microsoft\.com\//i, "").toLowerCase();
  const held = new Set(info.scopes.map(short));
  return accepted.some((scope) => held.has(short(scope)));
}

/** A whole number within [min, max], the default when absent, or null when invalid. */
function intParam(value: string | null, fallback: number, min: number, max: number): number | null {
  if (value === null) return fallback;
  if (!/^\d{1,6}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** Opaque offset cursors (Google pageToken, Graph $skiptoken); null when not one of ours. */
function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, n: randomBytes(3).toString("hex") })).toString("base64url");
}
function decodeOffset(token: string | null): number | null {
  if (token === null) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o: unknown };
    return Number.isInteger(o) && (o as number) >= 0 ? (o as number) : null;
  } catch {
    return null;
  }
}

const errorId = () => `oae${randomBytes(11).toString("base64url")}`;

// ---------------------------------------------------------------------------------------------------------------
// Okta

const OKTA_RATE_LIMIT = 1000;
const OKTA_STATUS = { active: "ACTIVE", suspended: "SUSPENDED", deprovisioned: "DEPROVISIONED" } as const;
const oktaWindows = new WeakMap<EmulatorContext, Map<string, { reset: number; used: number }>>();

function oktaError(code: string, summary: string) {
  return { errorCode: code, errorSummary: summary, errorLink: code, errorId: errorId(), errorCauses: [] };
}

/** Counts the request in the org's one-minute window; the X-Rate-Limit-* headers (reset in epoch seconds). */
function oktaRateLimit(call: Call): { headers: Record<string, string>; exceeded: boolean } {
  const windows = oktaWindows.get(call.context) ?? new Map<string, { reset: number; used: number }>();
  oktaWindows.set(call.context, windows);
  const now = Math.floor(Date.now() / 1000);
  let window = windows.get(call.route.org);
  if (!window || now >= window.reset) windows.set(call.route.org, (window = { reset: now + 60, used: 0 }));
  window.used += 1;
  const exceeded = window.used > OKTA_RATE_LIMIT;
  const remaining = call.throttled || exceeded ? 0 : OKTA_RATE_LIMIT - window.used;
  // An injected throttle resets at the next second, like a concurrency limit clearing.
  const reset = call.throttled && !exceeded ? now + 1 : window.reset;
  return { headers: { "x-rate-limit-limit": String(OKTA_RATE_LIMIT), "x-rate-limit-remaining": String(remaining), "x-rate-limit-reset": String(reset) }, exceeded };
}

function okta(call: Call): void {
  const { url, context, route } = call;
  const limits = oktaRateLimit(call);
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => send(call.response, status, body, { ...limits.headers, ...headers });
  const directory = context.store.get("okta", route.org);
  if (!directory) return reply(404, oktaError("E0000007", `Not found: Resource not found: ${route.org} (Org)`));
  const token = bearer(call, route.org);
  if (!token) {
    return reply(401, oktaError("E0000011", "Invalid token provided"), { "www-authenticate": 'Bearer realm="IdpMyAccountAPI", error="invalid_token", error_description="The access token is invalid."' });
  }
  if (limits.exceeded || call.throttled) return reply(429, oktaError("E0000047", "API call exceeded rate limit due to too many requests."));
  const base = `${context.origin}/okta/${route.org}`;
  const need = (scope: string): boolean => {
    if (holdsScope(token, [scope])) return true;
    reply(403, oktaError("E0000006", "You do not have permission to perform the requested action"), {
      "www-authenticate": `Bearer realm="IdpMyAccountAPI", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", scope="${scope}"`,
    });
    return false;
  };
  /** One page after the `after` cursor (the last id of the previous page), with RFC 8288 Link headers. */
  const page = <T extends { id: string }>(items: T[], defaultLimit: number, maxLimit: number): { items: T[]; next: string | null; link: string } | null => {
    const requested = intParam(url.searchParams.get("limit"), defaultLimit, 1, 1_000_000);
    if (requested === null) {
      reply(400, oktaError("E0000001", "Api validation failed: limit"));
      return null;
    }
    const limit = Math.min(requested, maxLimit);
    const after = url.searchParams.get("after");
    const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1 || items.length;
    const slice = items.slice(start, start + limit);
    const self = `<${base}/api/v1/${route.path.join("/")}?${url.searchParams}>; rel="self"`;
    if (start + limit >= items.length) return { items: slice, next: null, link: self };
    const params = new URLSearchParams(url.searchParams);
    params.set("after", slice[slice.length - 1]!.id);
    params.set("limit", String(limit));
    const next = `${base}/api/v1/${route.path.join("/")}?${params}`;
    return { items: slice, next, link: `${self}, <${next}>; rel="next"` };
  };
  const user = (u: DirectoryUser) => oktaUser(u, base);
  const [first, id, third, ...rest] = route.path;

  if (first === "users" && id === undefined) {
    if (!need("okta.users.read")) return;
    const filter = url.searchParams.get("filter");
    const status = filter === null ? null : /^status eq "(ACTIVE|SUSPENDED|DEPROVISIONED|STAGED|PROVISIONED|RECOVERY|LOCKED_OUT|PASSWORD_EXPIRED)"$/.exec(filter)?.[1];
    if (status === undefined) return reply(400, oktaError("E0000031", "Invalid search criteria."));
    const users = directory.users.filter((u) => (status === null ? u.status !== "deprovisioned" : OKTA_STATUS[u.status] === status));
    const result = page(users, 200, 200);
    if (result) reply(200, result.items.map(user), { link: result.link });
    return;
  }
  if (first === "users" && id !== undefined && third === "roles" && rest.length === 0) {
    if (!need("okta.roles.read")) return;
    const index = directory.userIndex.get(id);
    if (index === undefined) return reply(404, oktaError("E0000007", `Not found: Resource not found: ${id} (User)`));
    return reply(200, directory.rolesOf(id).map(({ role, via }) => oktaRole(role, via, id, base)));
  }
  if (first === "groups" && id === undefined) {
    if (!need("okta.groups.read")) return;
    const result = page(directory.groups, 10_000, 10_000);
    if (result) reply(200, result.items.map((g) => oktaGroup(g, base)), { link: result.link });
    return;
  }
  if (first === "groups" && id !== undefined && third === "users" && rest.length === 0) {
    if (!need("okta.groups.read")) return;
    const members = directory.membersOf.get(id);
    if (!members) return reply(404, oktaError("E0000007", `Not found: Resource not found: ${id} (UserGroup)`));
    const result = page(
      members.map((userId) => directory.users[directory.userIndex.get(userId)!]!),
      1000,
      1000,
    );
    if (result) reply(200, result.items.map(user), { link: result.link });
    return;
  }
  if (first === "iam" && id === "assignees" && third === "users" && rest.length === 0) {
    if (!need("okta.roles.read")) return;
    const holders = directory.users.filter((u) => directory.rolesOf(u.id).length > 0);
    const result = page(holders, 100, 100);
    if (!result) return;
    const value = result.items.map((u) => ({
      id: u.id,
      orn: `orn:okta:directory:${route.org}:users:${u.id}`,
      _links: { self: { href: `${base}/api/v1/users/${u.id}` }, roles: { href: `${base}/api/v1/users/${u.id}/roles` } },
    }));
    return reply(200, { value, _links: result.next ? { next: { href: result.next } } : {} });
  }
  reply(404, oktaError("E0000022", "The endpoint does not support the provided HTTP method"));
}

function oktaUser(u: DirectoryUser, base: string) {
  return {
    id: u.id,
    status: OKTA_STATUS[u.status],
    created: u.created,
    activated: u.created,
    statusChanged: u.created,
    lastLogin: u.lastLogin,
    lastUpdated: u.created,
    passwordChanged: u.created,
    type: { id: "oty1defaultusertype" },
    profile: { firstName: u.givenName, lastName: u.familyName, login: u.email, email: u.email, mobilePhone: null, secondEmail: null },
    credentials: { provider: { type: "OKTA", name: "OKTA" } },
    _links: { self: { href: `${base}/api/v1/users/${u.id}` } },
  };
}

function oktaGroup(g: DirectoryGroup, base: string) {
  return {
    id: g.id,
    created: "2024-01-15T09:00:00.000Z",
    lastUpdated: "2024-01-15T09:00:00.000Z",
    lastMembershipUpdated: "2024-01-15T09:00:00.000Z",
    objectClass: ["okta:user_group"],
    type: "OKTA_GROUP",
    profile: { name: g.name, description: g.description },
    _links: { self: { href: `${base}/api/v1/groups/${g.id}` }, users: { href: `${base}/api/v1/groups/${g.id}/users` } },
  };
}

function oktaRole(role: DirectoryRole, via: "user" | "group", userId: string, base: string) {
  const id = `ra1${createHash("sha256").update(`${userId}/${role.id}/${via}`).digest("hex").slice(0, 17)}`;
  return {
    id,
    label: role.name,
    type: role.id,
    status: "ACTIVE",
    created: "2024-01-15T09:00:00.000Z",
    lastUpdated: "2024-01-15T09:00:00.000Z",
    assignmentType: via === "user" ? "USER" : "GROUP",
    _links: { assignee: { href: `${base}/api/v1/users/${userId}` } },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Google

const GOOGLE_SCOPE = "https://www.googleapis.com/auth/";

function googleError(code: number, message: string, status: string, reason: string) {
  return { error: { code, message, errors: [{ message, domain: "global", reason }], status } };
}

function google(call: Call): void {
  const { url, context, route } = call;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => send(call.response, status, body, headers);
  const token = bearer(call, null);
  const directory = token && context.store.get("google", token.directory);
  if (!token || !directory) {
    return reply(
      401,
      googleError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "UNAUTHENTICATED", "authError"),
      { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
  }
  if (call.throttled) {
    return reply(429, googleError(429, "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.", "RESOURCE_EXHAUSTED", "rateLimitExceeded"), { "retry-after": "1" });
  }
  const need = (...scopes: string[]): boolean => {
    if (holdsScope(token, scopes.map((s) => GOOGLE_SCOPE + s))) return true;
    reply(403, googleError(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED", "insufficientPermissions"), {
      "www-authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${scopes.map((s) => GOOGLE_SCOPE + s).join(" ")}"`,
    });
    return false;
  };
  const forbidden = () => reply(403, googleError(403, "Not Authorized to access this resource/api", "PERMISSION_DENIED", "forbidden"));
  /** `customer=my_customer` (or the customer id) or `domain=<the token's domain>`; false after answering otherwise. */
  const ownCustomer = (customer: string | null, domain: string | null): boolean => {
    if (customer === null && domain === null) {
      reply(400, googleError(400, "Bad Request", "INVALID_ARGUMENT", "badRequest"));
      return false;
    }
    if ((customer !== null && customer !== "my_customer" && customer !== directory.customerId) || (domain !== null && domain.toLowerCase() !== token.directory.toLowerCase())) {
      forbidden();
      return false;
    }
    return true;
  };
  /** One page from `pageToken`, `maxResults` within [1, max] (400 outside, as Google answers). */
  const page = <T>(items: T[], defaultSize: number, maxSize: number): { items: T[]; nextPageToken?: string } | null => {
    const size = intParam(url.searchParams.get("maxResults"), defaultSize, 1, maxSize);
    const offset = decodeOffset(url.searchParams.get("pageToken"));
    if (size === null) {
      reply(400, googleError(400, `Invalid value '${url.searchParams.get("maxResults")?.slice(0, 20)}'. Values must be within the range: [1, ${maxSize}]`, "INVALID_ARGUMENT", "invalid"));
      return null;
    }
    if (offset === null) {
      reply(400, googleError(400, "Invalid page token", "INVALID_ARGUMENT", "invalid"));
      return null;
    }
    const slice = items.slice(offset, offset + size);
    return offset + size < items.length ? { items: slice, nextPageToken: encodeOffset(offset + size) } : { items: slice };
  };
  const etag = `"${randomBytes(12).toString("base64url")}"`;
  const [first, key, third, ...rest] = route.path;

  if (first === "users" && key === undefined) {
    if (!need("admin.directory.user.readonly", "admin.directory.user")) return;
    if (!ownCustomer(url.searchParams.get("customer"), url.searchParams.get("domain"))) return;
    const result = page(directory.users, 100, 500);
    if (!result) return;
    const users = result.items.map((u) => googleUser(u, directory));
    return reply(200, { kind: "admin#directory#users", etag, ...(users.length ? { users } : {}), ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}) });
  }
  if (first === "groups" && key === undefined) {
    if (!need("admin.directory.group.readonly", "admin.directory.group")) return;
    if (!ownCustomer(url.searchParams.get("customer"), url.searchParams.get("domain"))) return;
    const result = page(directory.groups, 200, 200);
    if (!result) return;
    const groups = result.items.map((g) => ({
      kind: "admin#directory#group",
      id: g.id,
      etag,
      email: g.email,
      name: g.name,
      directMembersCount: String(directory.membersOf.get(g.id)?.length ?? 0),
      description: g.description,
      adminCreated: true,
    }));
    return reply(200, { kind: "admin#directory#groups", etag, ...(groups.length ? { groups } : {}), ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}) });
  }
  if (first === "groups" && key !== undefined && third === "members" && rest.length === 0) {
    if (!need("admin.directory.group.member.readonly", "admin.directory.group.readonly", "admin.directory.group.member", "admin.directory.group")) return;
    const group = directory.groups[directory.groupIndex.get(key) ?? -1] ?? directory.groups.find((g) => g.email === key.toLowerCase());
    if (!group) return reply(404, googleError(404, "Resource Not Found: groupKey", "NOT_FOUND", "notFound"));
    const result = page(directory.membersOf.get(group.id) ?? [], 200, 200);
    if (!result) return;
    const members = result.items.map((userId) => {
      const u = directory.users[directory.userIndex.get(userId)!]!;
      return { kind: "admin#directory#member", etag, id: u.id, email: u.email, role: "MEMBER", type: "USER", status: u.status === "active" ? "ACTIVE" : "SUSPENDED" };
    });
    return reply(200, { kind: "admin#directory#members", etag, ...(members.length ? { members } : {}), ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}) });
  }
  if (first === "customer" && key !== undefined && (third === "roles" || third === "roleassignments") && rest.length === 0) {
    if (!need("admin.directory.rolemanagement.readonly", "admin.directory.rolemanagement")) return;
    if (!ownCustomer(key, null)) return;
    if (third === "roles") {
      const result = page(directory.roles, 100, 100);
      if (!result) return;
      const items = result.items.map((role) => ({
        kind: "admin#directory#role",
        etag,
        roleId: role.id,
        roleName: role.name,
        roleDescription: role.description,
        rolePrivileges: [],
        isSystemRole: true,
        isSuperAdminRole: role.superAdmin,
      }));
      return reply(200, { kind: "admin#directory#roles", etag, items, ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}) });
    }
    const userKey = url.searchParams.get("userKey");
    const assignments = directory.assignments.filter((a) => userKey === null || (a.principalType === "user" && a.principalId === userKey));
    const result = page(assignments, 100, 200);
    if (!result) return;
    const items = result.items.map((a) => ({
      kind: "admin#directory#roleAssignment",
      etag,
      roleAssignmentId: createHash("sha256").update(`${a.roleId}/${a.principalId}`).digest().readBigUInt64BE().toString(),
      roleId: a.roleId,
      assignedTo: a.principalId,
      assigneeType: a.principalType,
      scopeType: "CUSTOMER",
    }));
    return reply(200, { kind: "admin#directory#roleAssignments", etag, items, ...(result.nextPageToken ? { nextPageToken: result.nextPageToken } : {}) });
  }
  reply(404, googleError(404, "Not Found", "NOT_FOUND", "notFound"));
}

function googleUser(u: DirectoryUser, directory: StoredDirectory) {
  const roles = directory.rolesOf(u.id).filter((held) => held.via === "user");
  return {
    kind: "admin#directory#user",
    id: u.id,
    primaryEmail: u.email,
    name: { givenName: u.givenName, familyName: u.familyName, fullName: `${u.givenName} ${u.familyName}` },
    isAdmin: roles.some((held) => held.role.superAdmin),
    isDelegatedAdmin: roles.some((held) => !held.role.superAdmin),
    lastLoginTime: u.lastLogin ?? "1970-01-01T00:00:00.000Z",
    creationTime: u.created,
    agreedToTerms: true,
    suspended: u.status !== "active",
    archived: u.status === "deprovisioned",
    changePasswordAtNextLogin: false,
    emails: [{ address: u.email, primary: true }],
    customerId: directory.customerId,
    orgUnitPath: "/",
    isMailboxSetup: true,
    isEnrolledIn2Sv: u.isEnrolledIn2Sv,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Microsoft Graph

const USER_DEFAULT_PROPERTIES = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"];
const USER_PROPERTIES = [...USER_DEFAULT_PROPERTIES, "accountEnabled", "userType", "createdDateTime", "signInActivity"];
const GROUP_PROPERTIES = ["id", "displayName", "description", "mail", "mailEnabled", "mailNickname", "securityEnabled", "groupTypes", "isAssignableToRole", "createdDateTime"];

function graphError(code: string, message: string) {
  return { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), "request-id": randomBytes(16).toString("hex"), "client-request-id": randomBytes(16).toString("hex") } } };
}

function graphUser(u: DirectoryUser): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.user",
    id: u.id,
    businessPhones: [],
    displayName: `${u.givenName} ${u.familyName}`,
    givenName: u.givenName,
    jobTitle: null,
    mail: u.userType === "Guest" ? null : u.email,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: u.familyName,
    userPrincipalName: u.email,
    accountEnabled: u.status === "active",
    userType: u.userType,
    createdDateTime: u.created,
    signInActivity: { lastSignInDateTime: u.lastLogin, lastNonInteractiveSignInDateTime: null },
  };
}

function graphGroup(g: DirectoryGroup, directory: StoredDirectory): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.group",
    id: g.id,
    displayName: g.name,
    description: g.description,
    mail: g.email,
    mailEnabled: false,
    mailNickname: g.email.split("@")[0],
    securityEnabled: true,
    groupTypes: [],
    isAssignableToRole: directory.assignments.some((a) => a.principalId === g.id),
    createdDateTime: "2024-01-15T09:00:00Z",
  };
}

function entra(call: Call): void {
  const { url, context, route } = call;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => send(call.response, status, body, headers);
  const token = bearer(call, null);
  const directory = token && context.store.get("entra", token.directory);
  if (!token || !directory) {
    const challenge = `Bearer realm="", authorization_uri="${context.origin}/entra/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`;
    return reply(401, graphError("InvalidAuthenticationToken", "Access token validation failure. Invalid audience."), { "www-authenticate": challenge });
  }
  if (call.throttled) return reply(429, graphError("TooManyRequests", "Too many requests."), { "retry-after": "1" });
  const need = (...scopes: string[]): boolean => {
    if (holdsScope(token, scopes)) return true;
    reply(403, graphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
    return false;
  };
  const { searchParams } = url;
  const resource = `${context.origin}/entra/graph/v1.0/${route.path.join("/")}`;
  /** `$select` checked against the entity's properties (400 for an unknown one), or the defaults. */
  const selection = (known: string[], defaults: string[], entity: string): string[] | null => {
    const raw = searchParams.get("$select");
    if (raw === null) return defaults;
    const selected = raw.split(",").map((p) => p.trim()).filter(Boolean);
    const unknown = selected.find((p) => !known.includes(p));
    if (unknown) {
      reply(400, graphError("Request_BadRequest", `Could not find a property named '${unknown.slice(0, 60)}' on type 'microsoft.graph.${entity}'.`));
      return null;
    }
    if (selected.includes("signInActivity") && !need("AuditLog.Read.All")) return null;
    return [...new Set(["id", ...selected])];
  };
  const pick = (value: Record<string, unknown>, properties: string[], typed: boolean) =>
    Object.fromEntries(Object.entries(value).filter(([name]) => properties.includes(name) || (typed && name === "@odata.type")));
  /** One page: `$top` within [1, 999] (400 outside), `$skiptoken`, and `@odata.nextLink` keeping the query. */
  const page = <T>(items: T[], odataContext: string): { value: T[]; body: Record<string, unknown> } | null => {
    const top = intParam(searchParams.get("$top"), 100, 1, 999);
    if (top === null) {
      reply(400, graphError("Request_BadRequest", `Invalid page size specified: '${searchParams.get("$top")?.slice(0, 20)}'. Must be between 1 and 999 inclusive.`));
      return null;
    }
    const offset = decodeOffset(searchParams.get("$skiptoken"));
    if (offset === null) {
      reply(400, graphError("Request_BadRequest", "Invalid skip token."));
      return null;
    }
    const value = items.slice(offset, offset + top);
    const body: Record<string, unknown> = { "@odata.context": odataContext };
    if (offset + top < items.length) {
      const query = [...searchParams].filter(([name]) => name !== "$skiptoken").map(([name, v]) => `${name}=${encodeURIComponent(v)}`);
      body["@odata.nextLink"] = `${resource}?${[...query, `$skiptoken=${encodeOffset(offset + top)}`].join("&")}`;
    }
    return { value, body };
  };
  const metadata = `${context.origin}/entra/graph/v1.0/$metadata`;
  const memberObject = (principalId: string, properties: string[] | null) => {
    const userIndex = directory.userIndex.get(principalId);
    const value = userIndex !== undefined ? graphUser(directory.users[userIndex]!) : graphGroup(directory.groups[directory.groupIndex.get(principalId)!]!, directory);
    return properties ? pick(value, properties, true) : pick(value, userIndex !== undefined ? USER_DEFAULT_PROPERTIES : GROUP_PROPERTIES, true);
  };
  const notFound = (id: string) => reply(404, graphError("Request_ResourceNotFound", `Resource '${id.slice(0, 60)}' does not exist or one of its queried reference-property objects are not present.`));
  const [first, id, third, ...rest] = route.path;

  if (first === "organization" && id === undefined) {
    if (!need("User.Read", "User.Read.All", "Organization.Read.All", "Directory.Read.All")) return;
    const domain = directory.users[0]?.email.split("@").pop() ?? `${token.directory.slice(0, 8)}.onmicrosoft.com`;
    return reply(200, {
      "@odata.context": `${metadata}#organization`,
      value: [{ id: token.directory, displayName: `Tenant ${token.directory.slice(0, 8)}`, tenantType: "AAD", verifiedDomains: [{ name: domain, isDefault: true, isInitial: true, type: "Managed" }] }],
    });
  }
  if (first === "users" && id === undefined) {
    if (!need("User.Read.All", "User.ReadBasic.All", "Directory.Read.All")) return;
    const properties = selection(USER_PROPERTIES, USER_DEFAULT_PROPERTIES, "user");
    if (!properties) return;
    const result = page(directory.users, `${metadata}#users`);
    if (result) reply(200, { ...result.body, value: result.value.map((u) => pick(graphUser(u), properties, false)) });
    return;
  }
  if (first === "groups" && id === undefined) {
    if (!need("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All")) return;
    const properties = selection(GROUP_PROPERTIES, GROUP_PROPERTIES, "group");
    if (!properties) return;
    const result = page(directory.groups, `${metadata}#groups`);
    if (result) reply(200, { ...result.body, value: result.value.map((g) => pick(graphGroup(g, directory), properties, false)) });
    return;
  }
  if (first === "groups" && id !== undefined && third === "members" && rest.length === 0) {
    if (!need("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All")) return;
    const members = directory.membersOf.get(id);
    if (!members) return notFound(id);
    const properties = searchParams.has("$select") ? selection([...USER_PROPERTIES, ...GROUP_PROPERTIES], [], "directoryObject") : null;
    if (searchParams.has("$select") && !properties) return;
    const result = page(members, `${metadata}#directoryObjects`);
    if (result) reply(200, { ...result.body, value: result.value.map((userId) => memberObject(userId, properties)) });
    return;
  }
  if (first === "directoryRoles") {
    if (!need("RoleManagement.Read.Directory", "Directory.Read.All")) return;
    const holders = (roleId: string) => directory.assignments.filter((a) => a.roleId === roleId).map((a) => a.principalId);
    const roleObject = (role: DirectoryRole) => ({ id: role.id, deletedDateTime: null, description: role.description, displayName: role.name, roleTemplateId: role.templateId ?? null });
    if (id === undefined) {
      const expand = searchParams.get("$expand");
      if (expand !== null && expand !== "members") return reply(400, graphError("Request_BadRequest", `Could not find a navigation property named '${expand.slice(0, 60)}'.`));
      // Graph returns at most 20 expanded members; the rest only through /directoryRoles/{id}/members.
      const value = directory.roles.map((role) => (expand ? { ...roleObject(role), members: holders(role.id).slice(0, 20).map((p) => memberObject(p, null)) } : roleObject(role)));
      return reply(200, { "@odata.context": `${metadata}#directoryRoles`, value });
    }
    const role = directory.roles.find((r) => r.id === id);
    if (!role) return notFound(id);
    if (third === undefined) return reply(200, { "@odata.context": `${metadata}#directoryRoles/$entity`, ...roleObject(role) });
    if (third === "members" && rest.length === 0) {
      const properties = searchParams.has("$select") ? selection([...USER_PROPERTIES, ...GROUP_PROPERTIES], [], "directoryObject") : null;
      if (searchParams.has("$select") && !properties) return;
      const result = page(holders(role.id), `${metadata}#directoryObjects`);
      if (result) reply(200, { ...result.body, value: result.value.map((p) => memberObject(p, properties)) });
      return;
    }
  }
  reply(400, graphError("BadRequest", `Resource not found for the segment '${(first ?? "").slice(0, 60)}'.`));
}
