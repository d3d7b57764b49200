/**
 * The policies Gatehouse's entry points declare most often, named. Each route, page and action still names its
 * policy beside its code (`route(ADMIN_API, …)`); these constants only keep the common ones spelled one way.
 * Entry points with anything particular (scopes, audience, rate limits, OAuth clients) declare theirs inline.
 */
import { definePolicy } from "@/lib/auth/policy";

/** Admin APIs: a signed-in admin; anyone else gets 404, so they are not discoverable. */
export const ADMIN_API = definePolicy({ accept: ["user"], role: "admin", refuseAs: "not_found", errors: "json" });

/** Admin server actions. */
export const ADMIN_ACTION = definePolicy({ accept: ["user"], role: "admin", errors: "app-page" });

/** Server actions of a member of an approved partner, in their own tenant. */
export const MEMBER_ACTION = definePolicy({ accept: ["user"], partner: "approved", errors: "app-page" });

/** A session-only JSON API for members of an approved partner (their own API keys). */
export const MEMBER_API = definePolicy({ accept: ["user"], partner: "approved", errors: "json" });

/** A session-only JSON API for a partner's owners and admins (team management); other members get 403. */
export const PARTNER_ADMIN_API = definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "json" });

/** Server actions of a partner's owners and admins (team management). */
export const PARTNER_ADMIN_ACTION = definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "app-page" });

/** Partner data every member may read: a member's session, or an API key with `partner:read`, in their own tenant. */
export const PARTNER_READ_API = definePolicy({ accept: ["user", "api_key"], partner: "approved", scopes: ["partner:read"], errors: "json" });

/** The client portal's JSON API: a valid portal session (401 JSON otherwise). */
export const PORTAL_API = definePolicy({ accept: ["portal"], errors: "json" });

/** Anyone; no credential is looked at (metadata, health, key sets). */
export const PUBLIC_API = definePolicy({ accept: "public", errors: "json" });

/** An admin page at `path`. */
export function adminPage<const Path extends string>(path: Path) {
  return definePolicy({ accept: ["user"], role: "admin", errors: "app-page", path });
}

/** A page for members of an approved partner at `path`. */
export function memberPage<const Path extends string>(path: Path) {
  return definePolicy({ accept: ["user"], partner: "approved", errors: "app-page", path });
}

/** A page for any signed-in person (their own account, their organisation's status) at `path`. */
export function signedInPage<const Path extends string>(path: Path) {
  return definePolicy({ accept: ["user"], partner: "any", errors: "app-page", path });
}

/** A client-portal page at `path`: a valid portal session, else the access-required page (401). */
export function portalPage<const Path extends string>(path: Path) {
  return definePolicy({ accept: ["portal"], errors: "portal-page", path });
}

/** A page anyone may see at `path` (sign-in, landing, signed-out). */
export function publicPage<const Path extends string>(path: Path) {
  return definePolicy({ accept: "public", errors: "app-page", path });
}

/**
 * A tenant resource API (the groups API): a member's session, a service access token for Gatehouse's API, or an
 * API key, holding `scopes`; RFC 6750 errors. The principal's `partnerId` is the tenant.
 */
export function tenantBearerApi<const S extends readonly string[]>(scopes: S) {
  return definePolicy({ accept: ["user", "service", "api_key"], partner: "approved", scopes, resource: "api", errors: "bearer" });
}

/**
 * The token endpoint: a service client authenticated by client_secret_basic or client_secret_post (RFC 6749 §2.3),
 * or an app client (public: `client_id` alone, its PKCE verifier being the proof; or confidential, with its secret);
 * RFC 6749 §5.2 errors. Failed authentications are limited per IP, authenticated clients per client_id and IP
 * (RATE_LIMIT_TOKEN_PER_MINUTE). Bodies are small forms.
 */
export const OAUTH_TOKEN_ENDPOINT = definePolicy({
  accept: ["oauth_client", "app_client"],
  rateLimit: { policy: "oauth-token", per: "client" },
  csrf: "none",
  errors: "oauth",
  maxBodyBytes: 8 * 1024,
});

/**
 * Introspection (RFC 7662) and revocation (RFC 7009): an authenticated OAuth client, as at the token endpoint. A
 * resource server may introspect on every request, so only failed authentications count (per IP, against the
 * token endpoint's budget: guessing a secret here is guessing it there).
 */
export const OAUTH_CLIENT_ENDPOINT = definePolicy({
  accept: ["oauth_client"],
  rateLimit: { policy: "oauth-token", per: "failures" },
  csrf: "none",
  errors: "oauth",
  maxBodyBytes: 8 * 1024,
});

/** Revocation (RFC 7009): service clients revoke their access tokens, app clients their refresh tokens. */
export const OAUTH_REVOCATION_ENDPOINT = definePolicy({
  accept: ["oauth_client", "app_client"],
  rateLimit: { policy: "oauth-token", per: "failures" },
  csrf: "none",
  errors: "oauth",
  maxBodyBytes: 8 * 1024,
});

/**
 * RFC 7591 dynamic client registration: anyone (MCP clients register before any person signs in), limited per IP
 * per hour (RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR); small JSON bodies.
 */
export const OAUTH_REGISTRATION_ENDPOINT = definePolicy({ accept: "public", rateLimit: "client-registration", csrf: "none", errors: "oauth", maxBodyBytes: 16 * 1024 });

/**
 * API-key self-service (`GET /auth/api-keys`, `DELETE /auth/api-keys/{id}`): a member's session, or an API key acting
 * on its own owner's keys (a person's or an OAuth client's). No scope is demanded of the key: it sees only metadata
 * of its owner's keys (never a secret) and can only take access away, which whoever holds a leaked key must be able
 * to do with nothing but the key; keys from `POST /auth/client` carry only their client's scopes (often just
 * `mcp:tools`), so a scope would lock them out of revoking themselves. Creating keys stays session-only (a key that
 * could mint keys would outlive its own revocation).
 */
export const KEY_SELF_SERVICE_API = definePolicy({ accept: ["user", "api_key"], partner: "approved", errors: "bearer" });

/**
 * Every key of the partner (`/api/partner/api-keys`): owners and admins of an approved partner, by session only;
 * members get 403. Keys never manage other keys of the partner.
 */
export const PARTNER_KEYS_API = definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "json" });

/** Server actions on every key of the partner: owners and admins only. */
export const PARTNER_KEYS_ACTION = definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "app-page" });

/**
 * The integrations API (`/api/integrations/**`): a member's session, a service access token for Gatehouse's API, or
 * an API key. Reading needs `integrations:read` (every member may read); changing needs `integrations:write`, and of
 * people, the partner role owner or admin. RFC 6750 errors. Another partner's integration is 404.
 */
export const INTEGRATIONS_READ_API = definePolicy({ accept: ["user", "service", "api_key"], partner: "approved", scopes: ["integrations:read"], resource: "api", errors: "bearer" });
export const INTEGRATIONS_WRITE_API = definePolicy({ accept: ["user", "service", "api_key"], partner: "approved", partnerRole: "admin", scopes: ["integrations:write"], resource: "api", errors: "bearer" });

/**
 * Starting and finishing a provider's OAuth consent: a person's browser session only (the state is bound to it), an
 * owner or admin of an approved partner.
 */
export const INTEGRATIONS_OAUTH_API = definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "json" });
