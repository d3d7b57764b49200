/**
 * Declared access policies (docs/ARCHITECTURE.md "One declared policy per entry point").
 *
 * Every route handler, page and server action states who may call it in one `AccessPolicy` value beside its code;
 * the adapters in lib/next (route, page, action) enforce it through `authorize` before the handler runs and hand the
 * handler the principal narrowed to exactly what the policy accepts. Nothing else decides access: handlers never
 * look at credentials, and lib/ functions take the proof the policy produced (an AdminActor, the principal's tenant).
 *
 * Failure modes are fixed: no or bad credential → 401 (a Bearer challenge on Bearer styles); a credential of a kind
 * the entry point does not accept → 401; valid but missing scope → 403 `insufficient_scope`; a signed-in person
 * without the role or partner status → 403 (or 404 where the policy hides the entry point, e.g. admin APIs).
 */
import { getConfig } from "@/lib/config";
import { sql } from "@/lib/db";
import { mintAdminActorForVerifiedUser, type AdminActor } from "@/lib/auth/admin-actor";
import { getSessionUser, type Principal, type PrincipalKind, type UserPrincipal } from "@/lib/auth/principal";
import { isWellFormedApiKey, verifyApiKey } from "@/lib/api-keys/api-keys";
import { isSameOrigin } from "@/lib/http/csrf";
import { BearerError, ForbiddenError, NotFoundError, OAuthError, UnauthorizedError } from "@/lib/http/errors";
import type { ErrorStyle } from "@/lib/http/respond";
import { authenticateClient } from "@/lib/oauth/clients";
import { authenticateAppClient } from "@/lib/oauth/app-clients";
import { resourceServers } from "@/lib/oauth/scopes";
import { readClientCredentials } from "@/lib/oauth/token-request";
import { looksLikeJwt, verifyAccessToken } from "@/lib/oauth/tokens";
import { getPortalPrincipal } from "@/lib/portal/session";
import { clientIp } from "@/lib/rate-limit/client-ip";
import { enforceRateLimit, type RateLimitPolicy } from "@/lib/rate-limit/rate-limit";

/** How refusals are rendered: the route styles of lib/http/respond.ts, or `app-page` (sign-in redirect, 403 page). */
export type PolicyErrorStyle = ErrorStyle | "app-page";

export interface AccessPolicy {
  /** The principal kinds accepted, or `public` (no credential is looked at; the handler gets `null`). */
  accept: "public" | readonly PrincipalKind[];
  /** Users only: `admin` requires the admin role, and the principal then carries the AdminActor proof. */
  role?: "admin";
  /**
   * Users only (ignored with `role: "admin"`): `approved` (the default) requires a member of an approved partner;
   * `any` lets every signed-in person through (their own pages: /me, the status page).
   */
  partner?: "approved" | "any";
  /**
   * Members of an approved partner only: `admin` requires the partner role owner or admin (team and key management).
   * Service tokens act for the partner as a whole and are judged by their scopes instead; a person's API key needs
   * the scopes AND an owner who is an owner or admin now.
   */
  partnerRole?: "admin";
  /** Scopes a token or API key must hold (RFC 6750 §3.1); session users act with their membership's full rights. */
  scopes?: readonly string[];
  /** The resource server a Bearer access token must be for (RFC 8707 audience); default the API. */
  resource?: "api" | "mcp";
  /**
   * CSRF rule for unsafe methods (POST, PUT, PATCH, DELETE): `cookie` (the default) requires Gatehouse's own origin
   * when the credential is a cookie; `always` requires it of every unsafe request (cookie-clearing endpoints);
   * `none` for endpoints whose credential travels explicitly (Bearer, API key, client secret).
   */
  csrf?: "cookie" | "always" | "none";
  /**
   * A rate limit from lib/rate-limit: by default counted per client IP before any credential is looked at. For OAuth
   * client policies, `{ policy, per: "client" }` counts failed client authentications per IP and authenticated
   * clients per client_id and IP; `{ policy, per: "failures" }` only the failed authentications (secret guessing).
   */
  rateLimit?: RateLimitPolicy | { policy: RateLimitPolicy; per: "client" | "failures" };
  /**
   * OAuth client policies: where the client's credentials travel. `basic-or-post` (the default): RFC 6749 §2.3.1
   * `client_secret_basic` or `client_secret_post` in a form; `json-body`: `{ client_id, client_secret }` only.
   */
  clientCredentials?: "basic-or-post" | "json-body";
  /** How a signed-in caller without the role or partner status is refused: 403 (default) or 404 (not discoverable). */
  refuseAs?: "forbidden" | "not_found";
  /** Wire format of refusals and errors. */
  errors: PolicyErrorStyle;
  /** Largest request body in bytes, enforced while it streams, before any credential is looked at (default 64 KiB). */
  maxBodyBytes?: number;
  /**
   * Browser origins served besides Gatehouse's own: a request whose `Origin` header names any other is refused with
   * 403 before any credential is looked at (DNS rebinding; MCP 2025-11-25 Streamable HTTP). Requests without
   * `Origin` (non-browser clients) pass.
   */
  allowedOrigins?: () => readonly string[];
  /** When it answers true, a request WITHOUT any credential is let through as `null` (REQUIRE_MCP_AUTH=false, development only). */
  allowAnonymous?: () => boolean;
}

/** A user whose role is admin, with the proof admin data functions demand. */
export type AdminPrincipal = UserPrincipal & { role: "admin"; admin: AdminActor };
/** A member of an approved partner: the tenant is `partnerId`. */
export type MemberPrincipal = UserPrincipal & { partnerId: string; status: "approved"; partnerRole: "owner" | "admin" | "member" };

type KindsOf<P> = P extends { accept: readonly (infer K)[] } ? K : never;
type UserFor<P> = P extends { role: "admin" } ? AdminPrincipal : P extends { partner: "any" } ? UserPrincipal : MemberPrincipal;
type Narrow<K, P> = K extends "user" ? UserFor<P> : Extract<Principal, { kind: K }>;

/** The principal a handler under policy `P` receives: exactly the kinds it accepts, narrowed by role and status. */
export type PrincipalFor<P extends AccessPolicy> = P extends { accept: "public" }
  ? null
  : Narrow<KindsOf<P>, P> | (P extends { allowAnonymous: () => boolean } ? null : never);

/** A public policy with a role, partner rule or scopes would silently ignore them: such a policy does not compile. */
type Coherent<P> = P extends { accept: "public" } ? (P extends { role: unknown } | { partner: unknown } | { partnerRole: unknown } | { scopes: unknown } ? never : P) : P;

/**
 * Declares a policy, keeping its literal types so handlers receive the narrowed principal.
 * @throws Error at module load for a public policy that names a role, partner rule or scopes (the type refuses it too)
 */
export function definePolicy<const P extends AccessPolicy>(policy: P & Coherent<P>): P {
  if (policy.accept === "public" && (policy.role || policy.partner || policy.partnerRole || policy.scopes)) {
    throw new Error("A public policy cannot demand a role, a partner status or scopes");
  }
  return Object.freeze(policy);
}

/** The request shape `authorize` reads: headers and method; the body only for OAuth client authentication. */
export interface PolicyRequest {
  headers: Headers;
  method: string;
  /** The session lookup to use instead of a fresh one (pages share one per render with their layouts). */
  sessionUser?: () => Promise<UserPrincipal | null>;
  /**
   * Only for `oauth_client` policies: the body, read once and shared with the handler (the route adapter memoises
   * it): the RFC 6749 §3.2 form (readFormParams), or the JSON object.
   */
  bodyReader?: { form(): Promise<Map<string, string>>; json(): Promise<unknown> };
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The reasons a signed-in person without an approved partner is refused (shown on 403 answers). */
const NOT_A_MEMBER: Record<UserPrincipal["status"], string> = {
  active: "Administrators act on partners through the admin pages and API.",
  pending_approval: "Your organisation is awaiting approval.",
  rejected: "Your organisation's signup was not approved.",
  suspended: "Your organisation is suspended.",
  no_partner: "Your account does not belong to a partner organisation.",
  approved: "Your account does not belong to a partner organisation.",
};

/**
 * Thrown when a signed-in person lacks the role or partner status a policy demands. Pages use `status` to send
 * members of unapproved partners to their status page; routes answer it as 403 (or 404, `refuseAs`).
 */
export class PolicyRefusalError extends ForbiddenError {
  constructor(
    message: string,
    readonly user: UserPrincipal,
  ) {
    super(message);
  }
}

/**
 * Enforces `policy` for one request, in this order: the per-IP rate limit, the allowed origins, the `always` CSRF rule, the credential
 * (exactly one: an explicit Authorization / X-API-Key header is judged on its own and never skipped in favour of a
 * cookie), the cookie CSRF rule, role and partner status, scopes.
 *
 * @param context.ip        the caller's address (default: lib/rate-limit/client-ip.ts)
 * @param context.requestId for audit events of rate-limit refusals
 * @returns the principal narrowed to `PrincipalFor<P>` (null for public policies)
 * @throws UnauthorizedError / BearerError `invalid_token` (401), BearerError `insufficient_scope` (403),
 *         ForbiddenError (403: CSRF, role, partner status) or NotFoundError (404 when `refuseAs: "not_found"`),
 *         OAuthError `invalid_client` (401) for OAuth client policies, RateLimitedError (429)
 */
export async function authorize<P extends AccessPolicy>(policy: P, request: PolicyRequest, context: { ip?: string; requestId?: string } = {}): Promise<PrincipalFor<P>> {
  const ip = () => context.ip ?? clientIp(request);
  if (typeof policy.rateLimit === "string") await enforceRateLimit(policy.rateLimit, { ip: ip(), requestId: context.requestId });
  if (policy.allowedOrigins) assertAllowedOrigin(request, policy.allowedOrigins());
  const unsafe = UNSAFE_METHODS.has(request.method.toUpperCase());
  if (unsafe && policy.csrf === "always") assertSameOrigin(request);
  if (policy.accept === "public") return null as PrincipalFor<P>;

  const resolved = await resolveCredential(policy, request, policy.accept, { ip: policy.rateLimit ? ip() : "", requestId: context.requestId });
  if (resolved === null) {
    if (policy.allowAnonymous?.()) return null as PrincipalFor<P>;
    throw new UnauthorizedError();
  }
  const { principal, viaCookie } = resolved;
  if (viaCookie && unsafe && policy.csrf !== "none") assertSameOrigin(request);

  if (principal.kind === "user") return narrowUser(policy, principal) as PrincipalFor<P>;
  if (policy.role === "admin") throw refusal(policy, "Administrators only.");
  if ((principal.kind === "service" || principal.kind === "api_key" || principal.kind === "delegated") && policy.scopes?.length) {
    const missing = policy.scopes.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0) throw new BearerError("insufficient_scope", `This credential lacks the scope ${policy.scopes.join(" ")}.`, policy.scopes.join(" "));
  }
  if (principal.kind === "api_key" && policy.partnerRole === "admin" && principal.owner.kind === "user") await assertKeyOwnerManages(principal.owner.userId, principal.partnerId);
  return principal as PrincipalFor<P>;
}

/**
 * A person's API key acts with its owner's rights at most: where a policy demands an owner or admin of the partner,
 * the key's owner must be one now (a member cannot mint a key to do what their session may not; a demoted admin's
 * keys lose those rights at once).
 * @throws ForbiddenError (403) when the owner is a plain member, or no longer in the partner
 */
async function assertKeyOwnerManages(userId: string, partnerId: string): Promise<void> {
  const [owner] = await sql<{ partner_role: string | null }>`SELECT partner_role FROM users WHERE id = ${userId} AND partner_id = ${partnerId}`;
  if (owner?.partner_role !== "owner" && owner?.partner_role !== "admin") throw new ForbiddenError("Only keys of your organisation's owners and admins can do this.");
}

/**
 * CSRF: the browser's `Origin` (or, without one, `Sec-Fetch-Site`) must say the request comes from Gatehouse.
 * @throws ForbiddenError (403) for a cross-site request
 */
function assertSameOrigin(request: { headers: Headers }): void {
  if (!isSameOrigin(request.headers, getConfig().appUrl)) throw new ForbiddenError("Cross-site request refused.");
}

/** @throws ForbiddenError (403) when the request's `Origin` is neither Gatehouse's nor one of `allowed` */
function assertAllowedOrigin(request: { headers: Headers }, allowed: readonly string[]): void {
  const origin = request.headers.get("origin");
  if (origin === null) return;
  if (origin === new URL(getConfig().appUrl).origin || allowed.includes(origin)) return;
  throw new ForbiddenError("Requests from this origin are not accepted.");
}

function refusal(policy: AccessPolicy, message: string, user?: UserPrincipal): Error {
  if (policy.refuseAs === "not_found") return new NotFoundError();
  return user ? new PolicyRefusalError(message, user) : new ForbiddenError(message);
}

function narrowUser(policy: AccessPolicy, user: UserPrincipal): UserPrincipal | AdminPrincipal | MemberPrincipal {
  if (policy.role === "admin") {
    if (user.role !== "admin") throw refusal(policy, "Administrators only.", user);
    return { ...user, role: "admin", admin: mintAdminActorForVerifiedUser(user.userId) };
  }
  if (policy.partner === "any") return user;
  if (user.role === "partner" && user.status === "approved" && user.partnerId) {
    if (policy.partnerRole === "admin" && user.partnerRole !== "owner" && user.partnerRole !== "admin") {
      throw refusal(policy, "Only your organisation's owners and admins can do this.", user);
    }
    return { ...user, partnerId: user.partnerId, status: "approved", partnerRole: user.partnerRole ?? "member" };
  }
  throw refusal(policy, NOT_A_MEMBER[user.status], user);
}

/** Which explicit credential a request carries, judged before any lookup. */
function explicitCredential(headers: Headers): { token: string; header: "authorization" | "x-api-key" } | null | "malformed" {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer ([^\s]{1,4096})$/i.exec(authorization);
    return match ? { token: match[1]!, header: "authorization" } : "malformed";
  }
  const apiKey = headers.get("x-api-key");
  if (apiKey !== null) return { token: apiKey.trim(), header: "x-api-key" };
  return null;
}

async function resolveCredential(
  policy: AccessPolicy,
  request: PolicyRequest,
  accept: readonly PrincipalKind[],
  context: { ip: string; requestId?: string },
): Promise<{ principal: Principal; viaCookie: boolean } | null> {
  if (accept.includes("oauth_client") || accept.includes("app_client")) return { principal: await resolveOAuthClient(policy, request, context), viaCookie: false };

  const explicit = explicitCredential(request.headers);
  if (explicit === "malformed") throw new BearerError("invalid_request", "Use Authorization: Bearer <token>.");
  if (explicit) {
    const { token, header } = explicit;
    if (token.startsWith("mg_")) {
      if (!accept.includes("api_key")) throw new BearerError("invalid_token", "API keys are not accepted here.");
      // A malformed key (bad checksum) is refused before any lookup.
      const key = isWellFormedApiKey(token) ? await verifyApiKey(token) : null;
      if (!key) throw new UnauthorizedError("The API key is not valid."); // Bearer styles add the invalid_token challenge
      const owner = key.ownerUserId ? { kind: "user" as const, userId: key.ownerUserId } : { kind: "oauth_client" as const, oauthClientRowId: key.ownerClientId! };
      return { principal: { kind: "api_key", keyId: key.keyId, owner, partnerId: key.partnerId, scopes: key.scopes }, viaCookie: false };
    }
    if (header === "authorization" && (accept.includes("service") || accept.includes("delegated")) && looksLikeJwt(token)) {
      const verified = await verifyAccessToken(token, resourceServers()[policy.resource ?? "api"]);
      // A person's token (authorization code grant) and a service's (client credentials) are different principals.
      if (verified.user) {
        if (!accept.includes("delegated")) throw new BearerError("invalid_token", "The access token is not valid.");
        const { userId, authorizationId } = verified.user;
        return { principal: { kind: "delegated", userId, authorizationId, clientId: verified.clientId, partnerId: verified.partnerId, scopes: verified.scopes, tokenId: verified.jti }, viaCookie: false };
      }
      if (!accept.includes("service")) throw new BearerError("invalid_token", "The access token is not valid.");
      return { principal: { kind: "service", clientId: verified.clientId, partnerId: verified.partnerId, scopes: verified.scopes, tokenId: verified.jti }, viaCookie: false };
    }
    if (header === "x-api-key") throw new UnauthorizedError("The API key is not valid.");
    throw new BearerError("invalid_token", "The access token is not valid.");
  }

  if (accept.includes("user")) {
    const user = await (request.sessionUser ? request.sessionUser() : getSessionUser(request));
    if (user) return { principal: user, viaCookie: true };
  }
  if (accept.includes("portal")) {
    const portal = await getPortalPrincipal(request.headers);
    if (portal) return { principal: portal, viaCookie: true };
  }
  return null;
}

/**
 * RFC 6749 §2.3: client_secret_basic, client_secret_post, or (POST /auth/client) a JSON body. Where the policy
 * accepts `app_client`, a `client_id` that is not a service client's (`gc_…`) names an app client, which may be
 * public (`client_id` alone, RFC 6749 §3.2.1) or confidential.
 */
async function resolveOAuthClient(policy: AccessPolicy, request: PolicyRequest, context: { ip: string; requestId?: string }): Promise<Principal> {
  if (!request.bodyReader) throw new Error("OAuth client policies need the request body");
  const acceptsApps = policy.accept !== "public" && policy.accept.includes("app_client");
  const acceptsServices = policy.accept !== "public" && policy.accept.includes("oauth_client");
  let credentials: { clientId: string; clientSecret?: string; basic: boolean };
  if (policy.clientCredentials === "json-body") {
    if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) throw new OAuthError("invalid_request", "Send a JSON body with client_id and client_secret.");
    const body = (await request.bodyReader.json().catch(() => null)) as { client_id?: unknown; client_secret?: unknown } | null;
    const clientId = body?.client_id;
    const clientSecret = body?.client_secret;
    if (typeof clientId !== "string" || typeof clientSecret !== "string" || !clientId || !clientSecret || clientId.length > 100 || clientSecret.length > 200) {
      throw new OAuthError("invalid_request", "Send a JSON body with client_id and client_secret.");
    }
    credentials = { clientId, clientSecret, basic: false };
  } else {
    credentials = readClientCredentials(request.headers, await request.bodyReader.form(), { allowPublic: acceptsApps });
  }
  const limit = typeof policy.rateLimit === "object" ? policy.rateLimit.policy : undefined;
  const perClient = typeof policy.rateLimit === "object" && policy.rateLimit.per === "client";
  const countClient = (clientId: string) =>
    limit && perClient ? enforceRateLimit(limit, { ip: context.ip, subject: `client:${clientId}:ip:${context.ip}`, requestId: context.requestId, inMemory: true }) : Promise.resolve();
  try {
    const isService = credentials.clientId.startsWith("gc_");
    if (acceptsApps && (!isService || !acceptsServices)) {
      const client = await authenticateAppClient(credentials);
      await countClient(client.clientId);
      return { kind: "app_client", client, basic: credentials.basic };
    }
    if (credentials.clientSecret === undefined) throw new OAuthError("invalid_client", "Client authentication is required.", { headers: { "WWW-Authenticate": 'Basic realm="gatehouse"' } });
    const client = await authenticateClient(credentials.clientId, credentials.clientSecret, { basic: credentials.basic });
    await countClient(client.clientId);
    return { kind: "oauth_client", client, basic: credentials.basic };
  } catch (error) {
    // Failed authentications count per IP whatever client_id they name: a spray of made-up ids is one budget, and
    // nobody can spend a real client's budget by sending it wrong secrets.
    if (limit && error instanceof OAuthError && error.code === "invalid_client") {
      await enforceRateLimit(limit, { ip: context.ip, subject: `failures:ip:${context.ip}`, requestId: context.requestId });
    }
    throw error;
  }
}
