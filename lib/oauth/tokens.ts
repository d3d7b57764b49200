/**
 * JWT access tokens (RFC 9068): issuance for the client-credentials grant, verification by resource servers,
 * introspection (RFC 7662) and revocation (RFC 7009).
 */
import { randomUUID } from "node:crypto";
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { db, sql } from "@/lib/db";
import { BearerError, OAuthError } from "@/lib/http/errors";
import { getSigningKey, getVerificationKey, SIGNING_ALG } from "@/lib/oauth/signing-keys";
import { issuerUrl, parseScopeParam, resourceServers } from "@/lib/oauth/scopes";
import type { AuthenticatedClient } from "@/lib/oauth/clients";
import { GenerationCache, generation } from "@/lib/cache/invalidation";

/** Longest token we will try to parse, in characters (ours are ~600). */
const MAX_TOKEN_LENGTH = 4096;
/** Clock skew tolerated when checking `exp`/`iat`, seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface IssuedToken {
  access_token: string;
  token_type: "Bearer";
  /** Seconds. */
  expires_in: number;
  scope: string;
}

/**
 * Issues an access token for a client-credentials request (RFC 6749 §4.4.3, RFC 9068 §2).
 * @param client   the authenticated client
 * @param request.scope     requested scopes (space-separated); omitted → the client's default scopes
 * @param request.resource  RFC 8707 resource indicator (or `audience`); omitted → Gatehouse's API
 * @throws OAuthError `unauthorized_client`, `invalid_scope`, `invalid_target`
 */
export async function issueAccessToken(client: AuthenticatedClient, request: { scope?: string; resource?: string }): Promise<IssuedToken> {
  if (!client.grantTypes.includes("client_credentials")) {
    throw new OAuthError("unauthorized_client", "This client may not use the client_credentials grant.");
  }
  const requested = request.scope === undefined ? client.defaultScopes : parseScopeParam(request.scope);
  if (requested.length === 0) throw new OAuthError("invalid_scope", "The scope parameter is empty.");
  const refused = requested.filter((s) => !client.allowedScopes.includes(s));
  if (refused.length > 0) throw new OAuthError("invalid_scope", `This client may not request: ${refused.join(" ")}.`);

  const resources = resourceServers();
  const audience = request.resource ?? resources.api;
  if (audience !== resources.api && audience !== resources.mcp) {
    throw new OAuthError("invalid_target", `Unknown resource. Use ${resources.api} or ${resources.mcp}.`);
  }

  const { kid, key } = await getSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const scope = requested.join(" ");
  const token = await new SignJWT({ client_id: client.clientId, scope, org_id: client.partnerId })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid })
    .setIssuer(issuerUrl())
    .setSubject(client.clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + client.accessTokenTtlSeconds)
    .setJti(randomUUID())
    .sign(key);
  return { access_token: token, token_type: "Bearer", expires_in: client.accessTokenTtlSeconds, scope };
}

/**
 * Signs an access token for a person acting through an app client (authorization code grant; RFC 9068 §2.2):
 * `sub` the user, `org_id` their partner, `client_id` the app, `aud` the resource, `sid` the authorization (token
 * family) it came from, so revoking that authorization or its grant ends the token at once.
 * @param ttlSeconds lifetime in seconds
 */
export async function signUserAccessToken(claims: { userId: string; partnerId: string; clientId: string; scopes: string[]; resource: string; authorizationId: string }, ttlSeconds: number): Promise<{ token: string; jti: string }> {
  const { kid, key } = await getSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const jti = randomUUID();
  const token = await new SignJWT({ client_id: claims.clientId, scope: claims.scopes.join(" "), org_id: claims.partnerId, sid: claims.authorizationId })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid })
    .setIssuer(issuerUrl())
    .setSubject(claims.userId)
    .setAudience(claims.resource)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(jti)
    .sign(key);
  return { token, jti };
}

export interface VerifiedAccessToken {
  clientId: string;
  partnerId: string;
  /** Set for tokens a person authorized (authorization code grant): users.id, and the authorization (`sid`). */
  user?: { userId: string; authorizationId: string };
  scopes: string[];
  jti: string;
  audience: string;
  /** Seconds since the epoch. */
  exp: number;
  iat: number;
}

/** Whether a string looks like a compact JWS (three base64url parts), without parsing it. */
export function looksLikeJwt(value: string): boolean {
  return value.length <= MAX_TOKEN_LENGTH && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}

/**
 * Tokens whose signature and claims were verified, by audience and exact token text, until they expire: an Ed25519
 * verification through jose costs about 0.3 ms of CPU, more than the rest of a Bearer request (bench/NOTES.md,
 * issue 16). Only verified tokens enter (at most VERIFIED_TOKENS_MAX, oldest out first); a hit still requires the
 * token's signing key to be published now, so retiring a key ends its tokens as before. Revocation is checked after
 * this, on every request (serviceTokenIsLive, userTokenIsLive).
 */
const verifiedTokens = new Map<string, { verified: VerifiedAccessToken; kid: string }>();
const VERIFIED_TOKENS_MAX = 10_000;

async function verifySignatureAndClaims(token: string, audience: string): Promise<VerifiedAccessToken> {
  if (!looksLikeJwt(token)) throw new Error("malformed");
  const cacheKey = `${audience} ${token}`;
  const known = verifiedTokens.get(cacheKey);
  if (known) {
    if (known.verified.exp * 1000 > Date.now() && (await getVerificationKey(known.kid))) return known.verified;
    verifiedTokens.delete(cacheKey);
  }
  const header = decodeProtectedHeader(token);
  // RFC 9068 §4: the resource server MUST check typ is at+jwt; only our algorithm, never `none`.
  if (header.alg !== SIGNING_ALG || typeof header.kid !== "string" || !/^(application\/)?at\+jwt$/i.test(String(header.typ))) throw new Error("header");
  const key = await getVerificationKey(header.kid);
  if (!key) throw new Error("unknown key");
  // Shared by every request that presents the token: nobody may change it.
  const verified = await verifyWithKey(token, key, audience);
  Object.freeze(verified.scopes);
  if (verified.user) Object.freeze(verified.user);
  Object.freeze(verified);
  if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.delete(verifiedTokens.keys().next().value!);
  verifiedTokens.set(cacheKey, { verified, kid: header.kid });
  return verified;
}

async function verifyWithKey(token: string, key: Awaited<ReturnType<typeof getVerificationKey>> & object, audience: string): Promise<VerifiedAccessToken> {
  const { payload } = await jwtVerify(token, key, {
    issuer: issuerUrl(),
    audience,
    algorithms: [SIGNING_ALG],
    typ: "at+jwt",
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ["exp", "iat", "jti", "sub", "client_id", "org_id"],
  });
  return fromPayload(payload, audience);
}

function fromPayload(payload: JWTPayload, audience: string): VerifiedAccessToken {
  const { client_id: clientId, org_id: partnerId, scope, jti, exp, iat, sub, sid } = payload as JWTPayload & { client_id: unknown; org_id: unknown; scope?: unknown; sid?: unknown };
  if (typeof clientId !== "string" || typeof partnerId !== "string" || typeof jti !== "string" || typeof exp !== "number" || typeof iat !== "number") throw new Error("claims");
  // A person's token names its authorization in `sid`; a service token's subject is the client itself.
  const user = typeof sid === "string" && typeof sub === "string" && sub !== clientId ? { userId: sub, authorizationId: sid } : undefined;
  if (sid !== undefined && !user) throw new Error("claims");
  return { clientId, partnerId, jti, exp, iat, audience, scopes: typeof scope === "string" ? parseScopeParam(scope) : [], ...(user ? { user } : {}) };
}

/**
 * Verifies a Bearer access token for a resource server: signature (a published Gatehouse key), `typ`, `iss`, `aud`,
 * `exp`; then, in one query, that it is not revoked, its client still exists and is enabled, and its partner is
 * approved — so revocation and suspension take effect on the next request on every instance.
 * @param audience the resource this request is for (RFC 8707)
 * @throws BearerError `invalid_token` (401) for anything wrong, with no detail an attacker could use
 */
export async function verifyAccessToken(token: string, audience: string = resourceServers().api): Promise<VerifiedAccessToken> {
  let verified: VerifiedAccessToken;
  try {
    verified = await verifySignatureAndClaims(token, audience);
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new BearerError("invalid_token", expired ? "The access token expired." : "The access token is not valid.");
  }
  const valid = verified.user ? await userTokenIsLive(verified, verified.user) : await serviceTokenIsLive(verified);
  if (!valid) throw new BearerError("invalid_token", "The access token is not valid.");
  return verified;
}

/**
 * A service token is live while its jti is not revoked, its client exists and is enabled, and its partner is
 * approved. The answer is cached per jti (lib/cache/invalidation.ts: a revocation, a disabled client or a partner's
 * status change empties every instance's cache at commit); only live answers are cached.
 */
async function serviceTokenIsLive(verified: VerifiedAccessToken): Promise<boolean> {
  if (liveServiceTokens.get(verified.jti)) return true;
  const seen = generation();
  const [state] = await sql<{ disabled: boolean; approved: boolean; revoked: boolean }>`
    SELECT c.disabled_at IS NOT NULL AS disabled, p.status = 'approved' AS approved,
           EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = ${verified.jti}) AS revoked
    FROM oauth_clients c JOIN partners p ON p.id = c.partner_id
    WHERE c.client_id = ${verified.clientId} AND c.partner_id = ${verified.partnerId}`;
  const live = Boolean(state && !state.disabled && state.approved && !state.revoked);
  if (live) liveServiceTokens.set(verified.jti, true, seen);
  return live;
}

const liveServiceTokens = new GenerationCache<true>(50_000);

/** How often a used grant's `last_used_at` moves forward (one UPDATE per grant per interval), ms. */
const GRANT_TOUCH_INTERVAL_MS = 60_000;

/**
 * A person's token is live while, in one query: its authorization (token family) is not revoked, the grant exists
 * (revoking it deletes it), the app client is not blocked, the person is still a member of that same partner and the
 * partner is approved, and the jti is not revoked. Removal, suspension and revocation therefore end it on the next
 * request, on every instance.
 */
async function userTokenIsLive(verified: VerifiedAccessToken, user: { userId: string; authorizationId: string }): Promise<boolean> {
  const [state] = await sql<{ grantId: string; live: boolean; stale: boolean }>`
    SELECT g.id AS "grantId",
           (a.revoked_at IS NULL AND c.blocked_at IS NULL AND p.status = 'approved'
            AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = ${verified.jti})) AS live,
           (g.last_used_at IS NULL OR g.last_used_at < (now() AT TIME ZONE 'UTC') - ${`${GRANT_TOUCH_INTERVAL_MS} milliseconds`}::interval) AS stale
    FROM oauth_authorizations a
    JOIN oauth_grants g ON g.id = a.grant_id
    JOIN app_clients c ON c.id = g.app_client_id
    JOIN users u ON u.id = g.user_id AND u.partner_id = g.partner_id
    JOIN partners p ON p.id = g.partner_id
    WHERE a.id = ${user.authorizationId} AND g.user_id = ${user.userId} AND g.partner_id = ${verified.partnerId} AND c.client_id = ${verified.clientId}`;
  if (!state?.live) return false;
  if (state.stale) {
    // "Last used" on Connected apps; in the background and at most once a minute per grant.
    void sql`UPDATE oauth_grants SET last_used_at = now() AT TIME ZONE 'UTC' WHERE id = ${state.grantId}`.catch(() => {});
  }
  return true;
}

/**
 * RFC 7662 §2.2 introspection response for a token presented by `caller`. Tokens of other tenants, and anything
 * invalid, expired or revoked, are `{ active: false }` (§2.2: no reason given).
 */
export async function introspectToken(caller: AuthenticatedClient, token: string): Promise<Record<string, unknown>> {
  for (const audience of Object.values(resourceServers())) {
    try {
      const verified = await verifyAccessToken(token, audience);
      if (verified.partnerId !== caller.partnerId) return { active: false };
      return {
        active: true,
        scope: verified.scopes.join(" "),
        client_id: verified.clientId,
        token_type: "Bearer",
        exp: verified.exp,
        iat: verified.iat,
        sub: verified.user?.userId ?? verified.clientId,
        aud: verified.audience,
        iss: issuerUrl(),
        jti: verified.jti,
        org_id: verified.partnerId,
      };
    } catch {
      // try the next audience
    }
  }
  return { active: false };
}

/**
 * RFC 7009 revocation by the client the token was issued to. Unknown, invalid or foreign tokens change nothing and
 * still answer 200 (§2.2), so the endpoint reveals nothing about tokens the caller does not own.
 * @returns whether a token was revoked
 */
export async function revokeToken(caller: AuthenticatedClient, token: string): Promise<boolean> {
  let verified: VerifiedAccessToken | undefined;
  for (const audience of Object.values(resourceServers())) {
    verified = await verifySignatureAndClaims(token, audience).catch(() => undefined);
    if (verified) break;
  }
  if (!verified || verified.clientId !== caller.clientId) return false;
  await db.$transaction([
    db.revokedToken.createMany({ data: [{ jti: verified.jti, clientId: verified.clientId, expiresAt: new Date(verified.exp * 1000) }], skipDuplicates: true }),
    // Housekeeping: rows for tokens that have expired anyway are no longer needed.
    db.revokedToken.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 60_000) } } }),
  ]);
  return true;
}
