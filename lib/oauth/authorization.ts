/**
 * The authorization code grant for people (RFC 6749 §4.1) as the MCP authorization spec (2025-11-25) requires it:
 * PKCE S256 only (RFC 7636; `plain` refused), RFC 8707 `resource` required and bound into the token's audience,
 * RFC 9207 `iss` in every authorization response, single-use codes whose replay revokes what they issued, and
 * refresh tokens rotated on every use whose reuse revokes the whole grant (RFC 9700 §2.2.2, §4.14.2).
 *
 * Vocabulary: a *grant* is a person's consent to one app client (scopes, resource), remembered and revocable; an
 * *authorization* is one code and the token family issued from it. Access tokens are RFC 9068 JWTs
 * (lib/oauth/tokens.ts) naming the authorization in `sid`; refresh tokens are opaque `grt_…` secrets stored as digests.
 */
import { createHash, randomBytes } from "node:crypto";
import { db, sql, type Prisma } from "@/lib/db";
import { auditRow, recordAudit } from "@/lib/audit/record-audit";
import type { MemberPrincipal } from "@/lib/auth/policy";
import { NotFoundError, OAuthError } from "@/lib/http/errors";
import { hostOf, markAppClientUsed, resolveAppClient, UnknownClientError, type AppClient } from "@/lib/oauth/app-clients";
import { issuerUrl, parseScopeParam, resourceServers } from "@/lib/oauth/scopes";
import { signUserAccessToken, verifyAccessToken } from "@/lib/oauth/tokens";
import { digestSecret, generateSecret, isWellFormedSecret } from "@/lib/secrets/secret-format";

/**
 * Scopes a person may grant an app: the MCP resource's (RFC 9728 `scopes_supported`). `mcp:tools` lets it call the
 * endpoint; each tool also needs its own read scope (lib/mcp/server.ts), so the consent page lists what it gets.
 */
export const DELEGABLE_SCOPES = ["mcp:tools", "groups:read", "members:read", "partner:read", "integrations:read"] as const;
/** Asked for when the request names no scope: all of them (the consent page still lists each). */
export const DEFAULT_DELEGATED_SCOPES: string[] = [...DELEGABLE_SCOPES];

/** What each delegable scope lets an app do as the person, in words (the consent page and Connected apps). */
export const DELEGATED_SCOPE_DESCRIPTIONS: Record<(typeof DELEGABLE_SCOPES)[number], string> = {
  "mcp:tools": "Connect to Gatehouse's MCP tools as you",
  "groups:read": "See your organisation's groups",
  "members:read": "See who is in each group (names and emails)",
  "partner:read": "See your organisation's client-portal clients and its audit log",
  "integrations:read": "See your organisation's cloud and directory integrations and who has access to them",
};
/** Authorization code lifetime, seconds (RFC 6749 §4.1.2: "a maximum lifetime of 10 minutes is RECOMMENDED"). */
export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
/** Access tokens issued to people, seconds. */
export const USER_ACCESS_TOKEN_TTL_SECONDS = 900;
/** Each refresh token lives this long unless used (and rotated) first, seconds. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** A validated authorization request (RFC 6749 §4.1.1 with RFC 7636 §4.3 and RFC 8707 §2). */
export interface AuthorizationRequest {
  client: AppClient;
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  scopes: string[];
  resource: string;
}

/**
 * A request whose client or redirect URI cannot be trusted: shown to the person, never redirected (RFC 6749
 * §4.1.2.1; redirecting would make Gatehouse an open redirector).
 */
export class AuthorizationPageError extends Error {}

/**
 * A request from a known client to a registered redirect URI that is otherwise wrong: answered to the client at its
 * redirect URI (`location`). Whether the browser is sent there without a click is the page's decision
 * (`mayRedirectWithoutAsking`): anyone can register a client, so an untrusted one gets a page and a link instead
 * (RFC 9700 §4.11.2, no open redirector).
 */
export class AuthorizationRedirectError extends Error {
  constructor(
    readonly error: "invalid_request" | "unsupported_response_type" | "invalid_scope" | "invalid_target" | "access_denied" | "unauthorized_client",
    message: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
    readonly client: AppClient,
  ) {
    super(message);
  }
  /** Where to send the browser: the redirect URI with `error`, `error_description`, `state` and `iss`. */
  get location(): string {
    return authorizationResponseUrl(this.redirectUri, { error: this.error, error_description: this.message, state: this.state });
  }
}

/** The parameters `validateAuthorizationRequest` reads, as they arrived (first value of each). */
export type AuthorizationParams = Partial<Record<"response_type" | "client_id" | "redirect_uri" | "state" | "scope" | "code_challenge" | "code_challenge_method" | "resource", string>>;

/** The authorization request's parameters, for forms and redirects (the consent form posts them back). */
export const AUTHORIZATION_PARAM_NAMES = ["response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method", "resource"] as const;

/**
 * Validates an authorization request. First the client and the redirect URI (exact match against the registered
 * ones, RFC 9700 §4.1.3, except the port of a loopback URI, RFC 8252 §7.3); everything after that is answered to
 * the client.
 * @throws AuthorizationPageError (unknown or blocked client, missing or unregistered redirect_uri)
 * @throws AuthorizationRedirectError (`unsupported_response_type`, `invalid_request` for PKCE, `invalid_scope`,
 *         `invalid_target` for a missing or unknown resource)
 */
export async function validateAuthorizationRequest(params: AuthorizationParams): Promise<AuthorizationRequest> {
  if (!params.client_id) throw new AuthorizationPageError("The request names no client_id.");
  let client: AppClient;
  try {
    client = await resolveAppClient(params.client_id);
  } catch (error) {
    if (error instanceof UnknownClientError) throw new AuthorizationPageError(error.message);
    throw error;
  }
  const redirectUri = params.redirect_uri;
  if (!redirectUri) throw new AuthorizationPageError("The request names no redirect_uri.");
  if (!redirectUriRegistered(client.redirectUris, redirectUri)) throw new AuthorizationPageError("The redirect_uri is not one this application registered.");
  if (client.blocked) throw new AuthorizationPageError("An administrator has blocked this application. Ask your administrator if you need it.");
  const state = params.state;
  // An oversized state is not echoed back (it could overflow the Location header of the answer that refuses it).
  if (state !== undefined && state.length > 1024) throw new AuthorizationRedirectError("invalid_request", "The state parameter is too long.", redirectUri, undefined, client);
  const refuse = (error: AuthorizationRedirectError["error"], message: string) => new AuthorizationRedirectError(error, message, redirectUri, state, client);

  if (params.response_type !== "code") throw refuse("unsupported_response_type", "Only response_type=code is supported.");
  if (!params.code_challenge) throw refuse("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.");
  if (params.code_challenge_method !== "S256") throw refuse("invalid_request", "Only code_challenge_method=S256 is supported (plain is refused).");
  if (!/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) throw refuse("invalid_request", "code_challenge must be a base64url SHA-256 (43 characters).");

  const scopes = params.scope === undefined || params.scope.trim() === "" ? DEFAULT_DELEGATED_SCOPES : parseScopeParam(params.scope);
  const unknown = scopes.filter((scope) => !(DELEGABLE_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) throw refuse("invalid_scope", `Scopes that cannot be granted to an application: ${unknown.join(" ").slice(0, 200)}.`);

  const mcp = resourceServers().mcp;
  if (!params.resource) throw refuse("invalid_target", `The resource parameter is required (RFC 8707): ${mcp}.`);
  if (params.resource !== mcp) throw refuse("invalid_target", `Unknown resource. Applications are authorized for ${mcp}.`);

  return { client, redirectUri, state, codeChallenge: params.code_challenge, scopes, resource: mcp };
}

/**
 * Whether `presented` is one of the client's redirect URIs: compared exactly (RFC 9700 §4.1.3), except that a
 * loopback `http://127.0.0.1`, `http://[::1]` or `http://localhost` URI matches on any port (RFC 8252 §7.3: native
 * apps listen on an ephemeral port).
 */
export function redirectUriRegistered(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const withoutPort = loopbackWithoutPort(presented);
  return withoutPort !== null && registered.some((uri) => loopbackWithoutPort(uri) === withoutPort);
}

function loopbackWithoutPort(uri: string): string | null {
  const match = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::\d{1,5})?(\/[^#]*)?$/.exec(uri);
  return match ? `http://${match[1]}${match[2] ?? "/"}` : null;
}

/** RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
function describable(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "?").slice(0, 300);
}

/** An authorization response URL (RFC 6749 §4.1.2 / §4.1.2.1) with RFC 9207's `iss`. */
export function authorizationResponseUrl(redirectUri: string, params: { code?: string; error?: string; error_description?: string; state?: string }): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, name === "error_description" ? describable(value) : value);
  url.searchParams.set("iss", issuerUrl());
  return url.toString();
}

/**
 * Whether an error may be sent to this client's redirect URI without the person clicking: only for clients an
 * admin registered, or that the person has already authorized. Anyone can register a client, so for any other the
 * page explains the error and offers the way back as a link (RFC 9700 §4.11.2: no open redirector).
 */
export async function mayRedirectWithoutAsking(user: { userId: string }, client: AppClient): Promise<boolean> {
  if (client.blocked) return false;
  if (client.registration === "admin") return true;
  return (await db.oAuthGrant.count({ where: { userId: user.userId, appClientId: client.id } })) > 0;
}

/**
 * Whether remembered consent may answer without showing the page: only for https redirect URIs. A loopback or
 * private-use-scheme redirect can be claimed by any program on the person's computer, so the person confirms each
 * time (RFC 8252 §8.6).
 */
export function mayApproveWithoutAsking(request: AuthorizationRequest): boolean {
  return request.redirectUri.startsWith("https://");
}

/** A granted scope in words: what it lets an app do as the person (or the scope itself when unknown). */
export function describeDelegatedScope(scope: string): string {
  return DELEGATED_SCOPE_DESCRIPTIONS[scope as keyof typeof DELEGATED_SCOPE_DESCRIPTIONS] ?? scope;
}

/** What the consent page shows: the scopes in words, the redirect host, the resource. */
export function describeAuthorizationRequest(request: AuthorizationRequest): { scopes: { scope: string; description: string }[]; redirectHost: string; resource: string } {
  return {
    scopes: request.scopes.map((scope) => ({ scope, description: describeDelegatedScope(scope) })),
    redirectHost: hostOf(request.redirectUri),
    resource: request.resource,
  };
}

/**
 * Whether the person already consented to this client for these scopes at this resource (consent is remembered per
 * person, client and scopes; asking for more scopes asks again).
 */
export async function hasRememberedConsent(user: MemberPrincipal, request: AuthorizationRequest): Promise<boolean> {
  const grant = await db.oAuthGrant.findUnique({ where: { userId_appClientId: { userId: user.userId, appClientId: request.client.id } }, select: { partnerId: true, scopes: true, resource: true } });
  return Boolean(grant && grant.partnerId === user.partnerId && grant.resource === request.resource && request.scopes.every((scope) => grant.scopes.includes(scope)));
}

/**
 * The person approved (or had already approved) the request: records the grant (audited when it is new or widened),
 * issues a single-use code bound to the PKCE challenge, redirect URI, scopes and resource, and answers where to send
 * the browser.
 * @returns the redirect URI with `code`, `state` and `iss`
 */
export async function approveAuthorization(user: MemberPrincipal, request: AuthorizationRequest, context: { ip: string | null; requestId?: string }): Promise<string> {
  if (Math.random() < PRUNE_PROBABILITY) pruneExpired();
  const code = randomBytes(32).toString("base64url");
  await db.$transaction(async (tx) => {
    const existing = await tx.oAuthGrant.findUnique({ where: { userId_appClientId: { userId: user.userId, appClientId: request.client.id } }, select: { id: true, partnerId: true, scopes: true, resource: true } });
    const sameTenant = existing && existing.partnerId === user.partnerId && existing.resource === request.resource;
    const scopes = sameTenant ? [...new Set([...existing.scopes, ...request.scopes])] : request.scopes;
    const widened = !sameTenant || scopes.length !== existing.scopes.length;
    const grant = await tx.oAuthGrant.upsert({
      where: { userId_appClientId: { userId: user.userId, appClientId: request.client.id } },
      create: { userId: user.userId, partnerId: user.partnerId, appClientId: request.client.id, scopes, resource: request.resource },
      update: { partnerId: user.partnerId, scopes, resource: request.resource },
      select: { id: true },
    });
    if (widened) {
      await markAppClientUsed(tx, request.client.id);
      await tx.auditEvent.create({
        data: auditRow({
          action: existing ? "oauth.grant_updated" : "oauth.grant_created",
          actor: { type: "user", id: user.userId },
          partnerId: user.partnerId,
          target: { type: "oauth_grant", id: grant.id },
          ip: context.ip,
          requestId: context.requestId,
          metadata: { clientId: request.client.clientId, clientName: request.client.name, scopes, resource: request.resource },
        }),
      });
    }
    await tx.oAuthAuthorization.create({
      data: {
        grantId: grant.id,
        codeDigest: digestSecret(code),
        codeChallenge: request.codeChallenge,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        resource: request.resource,
        codeExpiresAt: new Date(Date.now() + AUTHORIZATION_CODE_TTL_SECONDS * 1000),
      },
    });
  });
  return authorizationResponseUrl(request.redirectUri, { code, state: request.state });
}

/** About one authorization in a hundred also deletes codes that expired unused and refresh tokens past their expiry. */
const PRUNE_PROBABILITY = 0.01;

/**
 * Housekeeping, in the background: authorizations whose code expired unused a day ago, and refresh tokens past their
 * expiry. Used refresh tokens stay until then: a reused one must still be recognised as reuse.
 */
function pruneExpired(): void {
  void sql`DELETE FROM oauth_authorizations WHERE code_used_at IS NULL AND code_expires_at < (now() AT TIME ZONE 'UTC') - interval '1 day'`
    .then(() => sql`DELETE FROM oauth_refresh_tokens WHERE expires_at < now() AT TIME ZONE 'UTC'`)
    .catch(() => {});
}

/** The person declined: RFC 6749 §4.1.2.1 `access_denied`, with `state` and `iss`. */
export function denialUrl(request: AuthorizationRequest): string {
  return authorizationResponseUrl(request.redirectUri, { error: "access_denied", error_description: "The person declined.", state: request.state });
}

// ---------------------------------------------------------------------------------------------------------------
// Token endpoint

/** An authorization (token family) as the token endpoint reads it, in the one query that finds the code or token. */
interface TokenFamily {
  authorizationId: string;
  grantId: string;
  appClientId: string;
  userId: string;
  partnerId: string;
  scopes: string[];
  resource: string;
  /** Whether the person is still a member of the grant's partner and that partner is approved. */
  member: boolean;
}

/** RFC 7636 §4.1 code_verifier: 43–128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3) for an authenticated app client. The code must be this client's
 * (RFC 6749 §4.1.3: another client's presentation changes nothing), unexpired (60 s), unused: a second presentation
 * revokes the authorization and every token issued from it (RFC 6749 §4.1.2). Then redirect_uri must equal the
 * authorization request's and the PKCE verifier must match (RFC 7636 §4.6); a failed check spends the code (one
 * guess per code). `resource`, if sent, must be the authorized one, and the person must still be a member of an
 * approved partner. The code is spent and the refresh token stored in one transaction, after the access token is
 * signed, so a failure never leaves a spent code without tokens; of two concurrent exchanges exactly one wins.
 * @param params the token request's form
 * @returns the RFC 6749 §5.1 response (access token, refresh token, scope)
 * @throws OAuthError `invalid_request`, `invalid_grant`, `invalid_target`
 */
export async function exchangeAuthorizationCode(client: AppClient, params: Map<string, string>, context: { ip: string | null; requestId?: string }): Promise<Response> {
  const code = params.get("code");
  const redirectUri = params.get("redirect_uri");
  const verifier = params.get("code_verifier");
  if (!code) throw new OAuthError("invalid_request", "The code parameter is required.");
  if (!redirectUri) throw new OAuthError("invalid_request", "The redirect_uri parameter is required.");
  if (!verifier) throw new OAuthError("invalid_request", "The code_verifier parameter is required (PKCE).");
  const invalid = () => new OAuthError("invalid_grant", "The authorization code is not valid.");
  if (code.length > 200) throw invalid();

  const [presented] = await sql<TokenFamily & { used: boolean; revoked: boolean; expired: boolean; codeChallenge: string; redirectUri: string }>`
    SELECT a.id AS "authorizationId", g.id AS "grantId", g.app_client_id AS "appClientId", g.user_id AS "userId",
           g.partner_id AS "partnerId", a.scopes, a.resource, (u.partner_id = g.partner_id AND p.status = 'approved') AS member,
           a.code_used_at IS NOT NULL AS used, a.revoked_at IS NOT NULL AS revoked,
           a.code_expires_at < now() AT TIME ZONE 'UTC' AS expired, a.code_challenge AS "codeChallenge", a.redirect_uri AS "redirectUri"
    FROM oauth_authorizations a JOIN oauth_grants g ON g.id = a.grant_id JOIN users u ON u.id = g.user_id JOIN partners p ON p.id = g.partner_id
    WHERE a.code_digest = ${digestSecret(code)}`;
  if (!presented || presented.appClientId !== client.id || presented.revoked) throw invalid();
  if (presented.used) {
    await revokeReplayedCode(presented.authorizationId, context);
    throw invalid();
  }
  const spend = () => sql`UPDATE oauth_authorizations SET code_used_at = now() AT TIME ZONE 'UTC' WHERE id = ${presented.authorizationId} AND code_used_at IS NULL`;
  if (presented.expired) throw invalid();
  if (presented.redirectUri !== redirectUri) {
    await spend();
    throw new OAuthError("invalid_grant", "redirect_uri does not match the authorization request.");
  }
  if (!CODE_VERIFIER.test(verifier) || pkceChallenge(verifier) !== presented.codeChallenge) {
    await spend();
    throw new OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.");
  }
  assertSameResource(params, presented.resource);
  assertStillMember(presented);
  return issueTokens(client, presented, presented.scopes, async (tx) => {
    const consumed = await tx.$executeRaw`
      UPDATE oauth_authorizations SET code_used_at = now() AT TIME ZONE 'UTC'
      WHERE id = ${presented.authorizationId} AND code_used_at IS NULL AND revoked_at IS NULL`;
    return consumed === 1;
  }, () => revokeReplayedCode(presented.authorizationId, context));
}

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** A code presented again by its client: revoke its authorization (every token issued from it) and audit. */
async function revokeReplayedCode(authorizationId: string, context: { ip: string | null; requestId?: string }): Promise<void> {
  const [replayed] = await sql<{ id: string; grantId: string; userId: string; partnerId: string; clientId: string }>`
    UPDATE oauth_authorizations a SET revoked_at = now() AT TIME ZONE 'UTC'
    FROM oauth_grants g JOIN app_clients c ON c.id = g.app_client_id
    WHERE a.id = ${authorizationId} AND a.revoked_at IS NULL AND g.id = a.grant_id
    RETURNING a.id, g.id AS "grantId", g.user_id AS "userId", g.partner_id AS "partnerId", c.client_id AS "clientId"`;
  if (!replayed) return;
  await sql`DELETE FROM oauth_refresh_tokens WHERE authorization_id = ${replayed.id}`;
  await recordAudit({
    action: "oauth.authorization_code_replayed",
    actor: { type: "anonymous" },
    partnerId: replayed.partnerId,
    target: { type: "oauth_grant", id: replayed.grantId },
    ip: context.ip,
    requestId: context.requestId,
    metadata: { clientId: replayed.clientId, userId: replayed.userId, authorizationId: replayed.id },
  });
}

/**
 * `grant_type=refresh_token` (RFC 6749 §6) with rotation: the presented token is used up and a new one issued in
 * the same family. Every check runs before the token is spent (it must be this client's, unexpired, its authorization
 * live, `resource` and `scope` acceptable, the person still a member), so a refused request leaves it usable. The
 * spend and the new token's insert are one transaction, after the access token is signed. Presenting a token that
 * was already used is reuse (a stolen token, or the thief's copy): the whole grant is revoked (RFC 9700 §4.14.2),
 * the person must authorize again, and the event is audited. `scope` may narrow the authorized scopes, never widen.
 * @throws OAuthError `invalid_request`, `invalid_grant`, `invalid_scope`, `invalid_target`
 */
export async function refreshTokens(client: AppClient, params: Map<string, string>, context: { ip: string | null; requestId?: string }): Promise<Response> {
  const presented = params.get("refresh_token");
  if (!presented) throw new OAuthError("invalid_request", "The refresh_token parameter is required.");
  const invalid = () => new OAuthError("invalid_grant", "The refresh token is not valid.");
  if (!isWellFormedSecret("grt", presented)) throw invalid();
  const [token] = await sql<TokenFamily & { id: string; used: boolean; expired: boolean; revoked: boolean }>`
    SELECT t.id, a.id AS "authorizationId", g.id AS "grantId", g.app_client_id AS "appClientId", g.user_id AS "userId",
           g.partner_id AS "partnerId", a.scopes, a.resource, (u.partner_id = g.partner_id AND p.status = 'approved') AS member,
           t.used_at IS NOT NULL AS used, t.expires_at < now() AT TIME ZONE 'UTC' AS expired, a.revoked_at IS NOT NULL AS revoked
    FROM oauth_refresh_tokens t JOIN oauth_authorizations a ON a.id = t.authorization_id JOIN oauth_grants g ON g.id = a.grant_id JOIN users u ON u.id = g.user_id JOIN partners p ON p.id = g.partner_id
    WHERE t.token_digest = ${digestSecret(presented)}`;
  // RFC 6749 §6: the token must have been issued to the authenticated client; another client's attempt changes nothing.
  if (!token || token.appClientId !== client.id) throw invalid();
  if (token.used) {
    await revokeGrantOnReuse(token.authorizationId, client, context);
    throw invalid();
  }
  if (token.expired || token.revoked) throw invalid();
  assertSameResource(params, token.resource);
  let scopes = token.scopes;
  const scope = params.get("scope");
  if (scope !== undefined) {
    const requested = parseScopeParam(scope);
    const wider = requested.filter((s) => !token.scopes.includes(s));
    if (requested.length === 0 || wider.length > 0) throw new OAuthError("invalid_scope", "A refresh may only keep or narrow the authorized scopes.");
    scopes = requested;
  }
  assertStillMember(token);
  return issueTokens(
    client,
    token,
    scopes,
    async (tx) => (await tx.$executeRaw`UPDATE oauth_refresh_tokens SET used_at = now() AT TIME ZONE 'UTC' WHERE id = ${token.id} AND used_at IS NULL`) === 1,
    // Another request spent it between our read and the update: one of the two is a copy.
    () => revokeGrantOnReuse(token.authorizationId, client, context),
  );
}

/** A used refresh token came back to its client: delete its grant (every authorization and token under it) and audit. */
async function revokeGrantOnReuse(authorizationId: string, client: AppClient, context: { ip: string | null; requestId?: string }): Promise<void> {
  const [reused] = await sql<{ grantId: string; userId: string; partnerId: string }>`
    SELECT g.id AS "grantId", g.user_id AS "userId", g.partner_id AS "partnerId"
    FROM oauth_authorizations a JOIN oauth_grants g ON g.id = a.grant_id
    WHERE a.id = ${authorizationId} AND g.app_client_id = ${client.id}`;
  if (!reused) return;
  await db.$transaction(async (tx) => {
    const { count } = await tx.oAuthGrant.deleteMany({ where: { id: reused.grantId } });
    if (count === 0) return;
    await recordAudit(
      {
        action: "oauth.refresh_token_reused",
        actor: { type: "anonymous" },
        partnerId: reused.partnerId,
        target: { type: "oauth_grant", id: reused.grantId },
        ip: context.ip,
        requestId: context.requestId,
        metadata: { clientId: client.clientId, userId: reused.userId, grantRevoked: true },
      },
      tx,
    );
  });
}

function assertSameResource(params: Map<string, string>, authorized: string): void {
  const resource = params.get("resource");
  if (resource !== undefined && resource !== authorized) throw new OAuthError("invalid_target", "The resource does not match the authorization.");
}

/** Tokens are issued only while the person is a member of the grant's partner and that partner is approved. */
function assertStillMember(family: TokenFamily): void {
  if (!family.member) throw new OAuthError("invalid_grant", "The person who authorized this application no longer has access.");
}

/**
 * Signs the access token, then in one transaction spends what was presented (`spend` answers whether it was still
 * unspent) and stores the new refresh token. When `spend` finds it already spent, nothing is issued and `onLost` runs
 * (replay or reuse handling); when the grant disappeared meanwhile (revoked, reuse detected elsewhere), the answer is
 * `invalid_grant`.
 */
async function issueTokens(
  client: AppClient,
  family: TokenFamily,
  scopes: string[],
  spend: (tx: Prisma.TransactionClient) => Promise<boolean>,
  onLost: () => Promise<void>,
): Promise<Response> {
  const refresh = generateSecret("grt");
  const { token } = await signUserAccessToken(
    { userId: family.userId, partnerId: family.partnerId, clientId: client.clientId, scopes, resource: family.resource, authorizationId: family.authorizationId },
    USER_ACCESS_TOKEN_TTL_SECONDS,
  );
  let issued: boolean;
  try {
    issued = await db.$transaction(async (tx) => {
      if (!(await spend(tx))) return false;
      await tx.oAuthRefreshToken.create({
        data: { authorizationId: family.authorizationId, tokenDigest: refresh.digest, expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000) },
      });
      return true;
    });
  } catch (error) {
    // P2003: the authorization (its grant) was deleted between the checks and the insert.
    if ((error as { code?: string }).code === "P2003") throw new OAuthError("invalid_grant", "The authorization is no longer valid.");
    throw error;
  }
  if (!issued) {
    await onLost();
    throw new OAuthError("invalid_grant", "The authorization is no longer valid.");
  }
  void sql`UPDATE oauth_grants SET last_used_at = now() AT TIME ZONE 'UTC' WHERE id = ${family.grantId}`.catch(() => {});
  return Response.json(
    { access_token: token, token_type: "Bearer", expires_in: USER_ACCESS_TOKEN_TTL_SECONDS, refresh_token: refresh.secret, scope: scopes.join(" ") },
    { headers: NO_STORE },
  );
}

/**
 * RFC 7009 revocation by an app client of a token issued to it: a refresh token, or an access token (verified, then
 * its `sid`). Either revokes the whole authorization (the token family). Anything else changes nothing (§2.2: the
 * caller learns nothing). Audited as `oauth.token_revoked`.
 * @returns whether something was revoked
 */
export async function revokeAppToken(client: AppClient, token: string, context: { ip: string | null; requestId?: string } = { ip: null }): Promise<boolean> {
  let authorizationId: string | undefined;
  if (isWellFormedSecret("grt", token)) {
    const [row] = await sql<{ authorizationId: string }>`
      SELECT t.authorization_id AS "authorizationId" FROM oauth_refresh_tokens t WHERE t.token_digest = ${digestSecret(token)}`;
    authorizationId = row?.authorizationId;
  } else {
    const verified = await verifyAccessToken(token, resourceServers().mcp).catch(() => undefined);
    if (verified?.user && verified.clientId === client.clientId) authorizationId = verified.user.authorizationId;
  }
  if (!authorizationId) return false;
  const [row] = await sql<{ authorizationId: string; grantId: string; partnerId: string; userId: string }>`
    UPDATE oauth_authorizations a SET revoked_at = COALESCE(a.revoked_at, now() AT TIME ZONE 'UTC')
    FROM oauth_grants g
    WHERE a.id = ${authorizationId} AND g.id = a.grant_id AND g.app_client_id = ${client.id}
    RETURNING a.id AS "authorizationId", g.id AS "grantId", g.partner_id AS "partnerId", g.user_id AS "userId"`;
  if (!row) return false;
  await sql`DELETE FROM oauth_refresh_tokens WHERE authorization_id = ${row.authorizationId}`;
  await recordAudit({
    action: "oauth.token_revoked",
    actor: { type: "service", id: client.clientId },
    partnerId: row.partnerId,
    target: { type: "oauth_grant", id: row.grantId },
    ip: context.ip,
    requestId: context.requestId,
    metadata: { clientId: client.clientId, userId: row.userId, authorizationId: row.authorizationId },
  });
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Connected apps

export interface GrantView {
  id: string;
  client: { id: string; clientId: string; name: string; logoUri: string | null; registration: string; redirectHosts: string[] };
  user: { id: string; email: string | null; name: string | null };
  scopes: string[];
  resource: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const grantSelect = {
  id: true,
  scopes: true,
  resource: true,
  createdAt: true,
  lastUsedAt: true,
  user: { select: { id: true, email: true, name: true } },
  appClient: { select: { id: true, clientId: true, name: true, logoUri: true, registration: true, redirectUris: true } },
} as const;

function toGrantView(row: Prisma.OAuthGrantGetPayload<{ select: typeof grantSelect }>): GrantView {
  const { appClient, user, ...rest } = row;
  return { ...rest, user, client: { id: appClient.id, clientId: appClient.clientId, name: appClient.name, logoUri: appClient.logoUri, registration: appClient.registration, redirectHosts: [...new Set(appClient.redirectUris.map(hostOf))] } };
}

/** The apps a person has authorized (their Connected apps), newest first. */
export async function listOwnGrants(user: { userId: string }): Promise<GrantView[]> {
  const rows = await db.oAuthGrant.findMany({ where: { userId: user.userId }, select: grantSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 200 });
  return rows.map(toGrantView);
}

/**
 * Every grant inside a partner (for its owners and admins), newest first, page-numbered (pageSize ≤ 100).
 * @param partnerId the tenant, from the policy's principal
 */
export async function listPartnerGrants(partnerId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ grants: GrantView[]; total: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const [rows, total] = await db.$transaction([
    db.oAuthGrant.findMany({ where: { partnerId }, select: grantSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.oAuthGrant.count({ where: { partnerId } }),
  ]);
  return { grants: rows.map(toGrantView), total };
}

/**
 * Revokes a grant: it is deleted with every authorization, refresh token and (on their next use) access token issued
 * under it. `scope` says whose grants the caller may revoke: their own, or (owners and admins) their partner's.
 * Audited as `oauth.grant_revoked`.
 * @throws NotFoundError (404) for a grant outside that scope (another person's, another partner's, or none)
 */
export async function revokeGrant(grantId: string, scope: { userId: string } | { partnerId: string }, actor: { userId: string; partnerId?: string }, context: { ip?: string | null; requestId?: string } = {}): Promise<void> {
  // Ids are cuids: anything else (a NUL would make PostgreSQL refuse the query) names no grant.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(grantId)) throw new NotFoundError("No such connected app.");
  await db.$transaction(async (tx) => {
    const where = "userId" in scope ? { id: grantId, userId: scope.userId } : { id: grantId, partnerId: scope.partnerId };
    const grant = await tx.oAuthGrant.findFirst({ where, select: { id: true, userId: true, partnerId: true, appClient: { select: { clientId: true, name: true } } } });
    if (!grant) throw new NotFoundError("No such connected app.");
    await tx.oAuthGrant.delete({ where: { id: grant.id } });
    await recordAudit(
      {
        action: "oauth.grant_revoked",
        actor: { type: "user", id: actor.userId },
        partnerId: grant.partnerId,
        target: { type: "oauth_grant", id: grant.id },
        ip: context.ip ?? null,
        requestId: context.requestId,
        metadata: { clientId: grant.appClient.clientId, clientName: grant.appClient.name, userId: grant.userId },
      },
      tx,
    );
  });
}
