/**
 * The one principal model (docs/ARCHITECTURE.md "One principal model"). Every caller resolves to exactly one of
 * these, from exactly one credential; nothing else decides identity. Which kinds an entry point accepts, and what
 * else it demands, is its declared policy (lib/auth/policy.ts), the only caller of the resolvers below.
 */
import { db, sql } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { readCookie } from "@/lib/http/cookies";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import type { AuthenticatedClient } from "@/lib/oauth/clients";
import type { AppClient } from "@/lib/oauth/app-clients";

export type { PortalPrincipal } from "@/lib/portal/session";
import type { PortalPrincipal } from "@/lib/portal/session";

export type UserRole = "admin" | "partner";
/** Admins are `active`; partner users carry their partner's status; `no_partner` has no organisation yet. */
export type UserStatus = "active" | "pending_approval" | "approved" | "rejected" | "suspended" | "no_partner";

/** A person with a live browser session (Auth.js database session). */
export interface UserPrincipal {
  kind: "user";
  /** users.id */
  userId: string;
  role: UserRole;
  /** partners.id of the person's organisation, if any. */
  partnerId?: string;
  /** Their role within that partner (owners and admins manage the team and the partner's keys). */
  partnerRole?: "owner" | "admin" | "member";
  status: UserStatus;
  email: string | null;
  name: string | null;
  /** sessions.id of the session this request came with (marks "this device" on /me). */
  sessionId?: string;
}

/** A backend service calling with an RFC 9068 access token from the client-credentials grant. */
export interface ServicePrincipal {
  kind: "service";
  /** The public OAuth `client_id` (`gc_…`), not the oauth_clients row id. */
  clientId: string;
  /** The tenant: the token's `org_id` claim. */
  partnerId: string;
  scopes: string[];
  /** The `jti` of the presented token. */
  tokenId: string;
}

/** A script or AI tool calling with an API key (`mg_…`). */
export interface ApiKeyPrincipal {
  kind: "api_key";
  /** api_keys.id */
  keyId: string;
  /** Whom the key belongs to: a person (users.id) or an OAuth client (oauth_clients.id, the row id). */
  owner: { kind: "user"; userId: string } | { kind: "oauth_client"; oauthClientRowId: string };
  partnerId: string;
  scopes: string[];
}

/**
 * A person acting through an app client (an MCP client, an IDE) with an access token from the authorization code
 * grant: the token's `sub` is the person, `org_id` their partner (lib/oauth/authorization.ts).
 */
export interface DelegatedPrincipal {
  kind: "delegated";
  /** users.id of the person who authorized the app. */
  userId: string;
  /** The tenant: the token's `org_id`, checked against the person's current membership on every request. */
  partnerId: string;
  /** The app's public `client_id`. */
  clientId: string;
  scopes: string[];
  /** The `jti` of the presented token. */
  tokenId: string;
  /** The authorization (token family) the token came from: its `sid`. */
  authorizationId: string;
}

/** An app client identifying itself at the token endpoint: public (`client_id` only) or with its secret. */
export interface AppClientPrincipal {
  kind: "app_client";
  client: AppClient;
  basic: boolean;
}

/** An OAuth client authenticating itself at the authorization server (RFC 6749 §2.3: Basic, form or JSON body). */
export interface OAuthClientPrincipal {
  kind: "oauth_client";
  client: AuthenticatedClient;
  /** Whether the credentials came in `Authorization: Basic` (a refusal then carries a Basic challenge). */
  basic: boolean;
}

export type Principal = UserPrincipal | ServicePrincipal | ApiKeyPrincipal | OAuthClientPrincipal | AppClientPrincipal | DelegatedPrincipal | PortalPrincipal;
export type PrincipalKind = Principal["kind"];

/** How often a used session's `last_seen_at` and idle expiry move forward (one UPDATE per session per interval). */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Resolves the browser session cookie to a user principal, or null when there is no live session.
 * One indexed query (session joined with its user). A session is over when it is idle past `expires`, or older than
 * SESSION_MAX_LIFETIME_HOURS since sign-in (`created_at`), whatever its `expires` says. A used session's idle expiry
 * moves forward at most every five minutes (never past the absolute lifetime), in the background.
 * @throws database errors (answered 503 when PostgreSQL is unreachable)
 */
export async function getSessionUser(request: { headers: Headers }): Promise<UserPrincipal | null> {
  const token = readCookie(request.headers, sessionCookieName(getConfig().secureCookies));
  if (!token || token.length > 512) return null;
  const session = await db.session.findUnique({
    where: { sessionToken: token },
    select: {
      id: true,
      expires: true,
      createdAt: true,
      lastSeenAt: true,
      user: { select: { id: true, role: true, email: true, name: true, partnerId: true, partnerRole: true, partner: { select: { status: true } } } },
    },
  });
  const now = Date.now();
  if (!session || session.expires.getTime() <= now) return null;
  const { maxLifetimeHours, idleHours } = getConfig().sessions;
  const endOfLife = session.createdAt.getTime() + maxLifetimeHours * 3_600_000;
  if (endOfLife <= now) return null;
  if (!session.lastSeenAt || now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    const expires = new Date(Math.min(now + idleHours * 3_600_000, endOfLife));
    // Prisma's DateTime columns are UTC `timestamp without time zone`.
    void sql`UPDATE sessions SET last_seen_at = now() AT TIME ZONE 'UTC', expires = ${expires.toISOString()}::timestamptz AT TIME ZONE 'UTC' WHERE id = ${session.id}`.catch(() => {});
  }
  const { user } = session;
  const status: UserStatus = user.role === "admin" ? "active" : (user.partner?.status ?? "no_partner");
  return {
    kind: "user",
    userId: user.id,
    role: user.role,
    ...(user.partnerId ? { partnerId: user.partnerId } : {}),
    ...(user.partnerRole ? { partnerRole: user.partnerRole } : {}),
    status,
    email: user.email,
    name: user.name,
    sessionId: session.id,
  };
}

/** Who the audit log names for a principal's actions. */
export function actorOf(principal: Principal): { type: "user" | "service" | "api_key" | "portal"; id: string } {
  switch (principal.kind) {
    case "user":
      return { type: "user", id: principal.userId };
    case "service":
      return { type: "service", id: principal.clientId };
    case "oauth_client":
    case "app_client":
      return { type: "service", id: principal.client.clientId };
    case "delegated":
      return { type: "user", id: principal.userId };
    case "api_key":
      return { type: "api_key", id: principal.keyId };
    case "portal":
      return { type: "portal", id: principal.accessTokenId };
  }
}
