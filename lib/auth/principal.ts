/**
 * The one principal model (ARCHITECTURE.md "One principal model"). Every protected handler and page starts
 * from `getPrincipal`; nothing else decides identity.
 */
import { db } from "@/lib/db";
import { mintAdminActorForVerifiedUser, type AdminActor } from "@/lib/auth/admin-actor";
import { readCookie } from "@/lib/http/cookies";
import { getConfig } from "@/lib/config";
import { BearerError, ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/http/errors";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { looksLikeJwt, verifyAccessToken } from "@/lib/oauth/tokens";
import { resourceServers } from "@/lib/oauth/scopes";
import { getPortalPrincipal, type PortalPrincipal } from "@/lib/portal/session";
import { verifyApiKey } from "@/lib/api-keys/api-keys";

export type UserRole = "admin" | "partner";
/** Admins are `active`; partner users carry their partner's status; `no_partner` has no organisation yet. */
export type UserStatus = "active" | "pending_approval" | "approved" | "rejected" | "suspended" | "no_partner";

export type Principal =
  | { kind: "user"; userId: string; role: UserRole; partnerId?: string; status: UserStatus; email: string | null; name: string | null }
  | { kind: "service"; clientId: string; orgId: string; scopes: string[] }
  | { kind: "api_key"; keyId: string; ownerUserId?: string; clientId?: string; orgId: string; scopes: string[] }
  | PortalPrincipal;

export type PrincipalKind = Principal["kind"];

export interface GetPrincipalOptions {
  /** Which kinds of caller this endpoint accepts. */
  accept: readonly PrincipalKind[];
  /** Scopes a service or API-key principal must hold (RFC 6750 §3.1 `insufficient_scope` otherwise). */
  scopes?: readonly string[];
  /** The resource server a Bearer token must be for (RFC 8707 audience); default Gatehouse's API. */
  resource?: "api" | "mcp";
}

/** The minimal request shape getPrincipal reads (works for Request, NextRequest, and pages' headers). */
export interface RequestLike {
  headers: Headers;
  /** When given and unsafe (POST, PUT, PATCH, DELETE), cookie-authenticated requests must be same-origin. */
  method?: string;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated, state-changing requests: the browser's `Origin` (or, without one,
 * `Sec-Fetch-Site`) must say the request comes from Gatehouse itself. Bearer and API-key requests carry their
 * credential explicitly and are not subject to CSRF.
 * @throws ForbiddenError (403) for a cross-site request
 */
export function assertSameOrigin(request: RequestLike): void {
  if (!request.method || SAFE_METHODS.has(request.method.toUpperCase())) return;
  const origin = request.headers.get("origin");
  if (origin) {
    if (origin === new URL(getConfig().appUrl).origin) return;
  } else if (request.headers.get("sec-fetch-site") === "same-origin") {
    return;
  }
  throw new ForbiddenError("Cross-site request refused.");
}


/**
 * Resolves the browser session cookie to a user principal, or null when there is no live session.
 * One indexed query (session joined with its user); an expired session counts as none.
 * @throws database errors (mapped to 503 by lib/http/respond.ts when PostgreSQL is unreachable)
 */
export async function getSessionUser(request: RequestLike): Promise<Extract<Principal, { kind: "user" }> | null> {
  const token = readCookie(request.headers, sessionCookieName(getConfig().secureCookies));
  if (!token || token.length > 512) return null;
  const session = await db.session.findUnique({
    where: { sessionToken: token },
    select: {
      expires: true,
      user: { select: { id: true, role: true, email: true, name: true, partnerId: true, partner: { select: { status: true } } } },
    },
  });
  if (!session || session.expires.getTime() <= Date.now()) return null;
  const { user } = session;
  const status: UserStatus = user.role === "admin" ? "active" : (user.partner?.status ?? "no_partner");
  return {
    kind: "user",
    userId: user.id,
    role: user.role,
    ...(user.partnerId ? { partnerId: user.partnerId } : {}),
    status,
    email: user.email,
    name: user.name,
  };
}

/**
 * Resolves the caller of a request to exactly one principal.
 *
 * @returns the principal, of one of the accepted kinds
 * @throws UnauthorizedError (401) with no or bad credentials; BearerError `invalid_token` (401) for a bad Bearer token;
 *         BearerError `insufficient_scope` (403) when a scoped principal lacks `options.scopes`
 */
export async function getPrincipal(request: RequestLike, options: GetPrincipalOptions): Promise<Principal> {
  const authorization = request.headers.get("authorization");
  const apiKeyHeader = request.headers.get("x-api-key");
  if (authorization || apiKeyHeader !== null) {
    // A presented credential is judged on its own and never skipped in favour of the cookie.
    let token: string;
    if (authorization) {
      const match = /^Bearer ([^\s]+)$/i.exec(authorization);
      if (!match) throw new BearerError("invalid_request", "Use Authorization: Bearer <token>.");
      token = match[1]!;
    } else {
      token = apiKeyHeader!.trim();
    }
    if (token.startsWith("mg_")) {
      if (!options.accept.includes("api_key")) throw new BearerError("invalid_token", "API keys are not accepted here.");
      const key = await verifyApiKey(token);
      if (!key) throw new UnauthorizedError("The API key is not valid.");
      return requireScopes(
        { kind: "api_key", keyId: key.keyId, orgId: key.orgId, scopes: key.scopes, ...(key.ownerUserId ? { ownerUserId: key.ownerUserId } : {}), ...(key.ownerClientId ? { clientId: key.ownerClientId } : {}) },
        options.scopes,
      );
    }
    if (authorization && options.accept.includes("service") && looksLikeJwt(token)) {
      const verified = await verifyAccessToken(token, resourceServers()[options.resource ?? "api"]);
      return requireScopes({ kind: "service", clientId: verified.clientId, orgId: verified.orgId, scopes: verified.scopes }, options.scopes);
    }
    if (apiKeyHeader !== null && !authorization) throw new UnauthorizedError("The API key is not valid.");
    throw new BearerError("invalid_token", "The access token is not valid.");
  }
  if (options.accept.includes("user")) {
    const user = await getSessionUser(request);
    if (user) {
      assertSameOrigin(request);
      return user;
    }
  }
  if (options.accept.includes("portal")) {
    const portal = await getPortalPrincipal(request.headers);
    if (portal) {
      assertSameOrigin(request);
      return portal;
    }
  }
  throw new UnauthorizedError();
}

/**
 * RFC 6750 §3.1: a token without every needed scope answers 403 `insufficient_scope` naming them.
 * Session users act with the full rights of their membership and carry no scopes.
 */
function requireScopes<P extends Principal>(principal: P, needed: readonly string[] | undefined): P {
  if (!needed?.length || principal.kind === "user" || principal.kind === "portal") return principal;
  const missing = needed.filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) throw new BearerError("insufficient_scope", `This token lacks the scope ${needed.join(" ")}.`, needed.join(" "));
  return principal;
}

/**
 * The tenant a principal acts in: the partner of an approved member, or the org of a service / API key.
 * @throws ForbiddenError (403) for principals without a tenant (admins, members of unapproved partners)
 */
export function tenantOf(principal: Principal): string {
  if (principal.kind === "service" || principal.kind === "api_key") return principal.orgId;
  return requireApprovedPartnerUser(principal).partnerId;
}

/**
 * The admin behind an admin-API request, as the audit log's actor (session only; CSRF-checked for writes).
 * @throws UnauthorizedError (401) without a session; NotFoundError (404) for anyone but an admin
 */
export async function getAdminActor(request: RequestLike): Promise<AdminActor> {
  const principal = await getPrincipal(request, { accept: ["user"] });
  requireAdminForApi(principal);
  return mintAdminActorForVerifiedUser(principal.userId);
}

/**
 * Asserts an admin user for an admin API: anyone else gets 404, so admin endpoints are not discoverable.
 * @throws NotFoundError (404)
 */
export function requireAdminForApi(principal: Principal): asserts principal is Extract<Principal, { kind: "user" }> & { role: "admin" } {
  if (principal.kind !== "user" || principal.role !== "admin") throw new NotFoundError();
}


/**
 * Narrows a principal to a member of an approved partner and returns the tenant to act in.
 * @throws ForbiddenError (403) explaining why (awaiting approval, rejected, suspended, no organisation, admin)
 */
export function requireApprovedPartnerUser(principal: Principal): { userId: string; partnerId: string } {
  if (principal.kind !== "user") throw new ForbiddenError("A partner user is required.");
  if (principal.status === "approved" && principal.partnerId) return { userId: principal.userId, partnerId: principal.partnerId };
  const reasons: Record<UserStatus, string> = {
    active: "Administrators act on partners through the admin pages and API.",
    pending_approval: "Your organisation is awaiting approval.",
    rejected: "Your organisation's signup was not approved.",
    suspended: "Your organisation is suspended.",
    no_partner: "Your account does not belong to a partner organisation.",
    approved: "Your account does not belong to a partner organisation.",
  };
  throw new ForbiddenError(reasons[principal.status]);
}

/** Who the audit log names for a principal's actions. */
export function actorOf(principal: Principal): { type: "user" | "service" | "api_key" | "portal"; id: string } {
  switch (principal.kind) {
    case "user":
      return { type: "user", id: principal.userId };
    case "service":
      return { type: "service", id: principal.clientId };
    case "api_key":
      return { type: "api_key", id: principal.keyId };
    case "portal":
      return { type: "portal", id: principal.accessTokenId };
  }
}
