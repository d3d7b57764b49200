/**
 * The OAuth 2.0 client side of the directory integrations (Google Workspace, Okta, Microsoft Entra ID): the
 * authorization code grant with PKCE that connects a partner's directory (RFC 6749 §4.1, RFC 7636, the best
 * current practice of RFC 9700), and the refresh that keeps its access token fresh (RFC 6749 §6), single-flight
 * across instances through a lease in PostgreSQL. oauth4webapi does the protocol work (requests, client
 * authentication, token response and ID token claim validation); this module decides what is asked for, what is
 * accepted and what is stored.
 *
 * Providers' documents this follows:
 * - Google: https://developers.google.com/identity/protocols/oauth2/web-server (access_type=offline, prompt=consent,
 *   `hd`), https://developers.google.com/identity/openid-connect/openid-connect (ID token `hd`, issuer).
 * - Okta: https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/ (the org authorization server at
 *   `<org>/oauth2/v1/*`, okta.* scopes, issuer = the org URL).
 * - Entra ID: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow (tenant endpoints,
 *   issuer `https://login.microsoftonline.com/<tenant>/v2.0`, the ID token's `tid`).
 *
 * Tokens exist in clear only in memory, inside SealedCredentials; at rest they are sealed per integration
 * (lib/integrations/credentials.ts). Nothing here logs or returns a token except `getAccessToken` to its caller.
 */
import { createHash, randomBytes } from "node:crypto";
import * as oauth from "oauth4webapi";
import { getConfig, type IntegrationOAuthApp } from "@/lib/config";
import { isLoopbackUrl } from "@/lib/auth/test-local-idp";
import { db, sql } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record-audit";
import { integrationAudit } from "@/lib/integrations/audit";
import { openCredentials, sealCredentials, type CredentialBinding } from "@/lib/integrations/credentials";
import { IntegrationError, type IntegrationRecord } from "@/lib/integrations/types";

export type OAuthProvider = "google" | "okta" | "entra";

/**
 * The scopes Gatehouse requests, per provider: read-only directory access plus what the flow itself needs
 * (`openid` for the ID token that names the directory; `offline_access`, or Google's access_type=offline, for a
 * refresh token). Nothing that can write.
 */
export const REQUIRED_SCOPES: Record<OAuthProvider, string[]> = {
  google: [
    "openid",
    "email",
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.group.readonly",
    "https://www.googleapis.com/auth/admin.directory.group.member.readonly",
    "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly",
  ],
  okta: ["openid", "offline_access", "okta.users.read", "okta.groups.read", "okta.roles.read"],
  entra: [
    "openid",
    "offline_access",
    "https://graph.microsoft.com/User.Read.All",
    "https://graph.microsoft.com/GroupMember.Read.All",
    "https://graph.microsoft.com/RoleManagement.Read.Directory",
  ],
};

/**
 * OpenID Connect scopes: they ask for the ID token and the refresh token, which are required separately (an
 * `id_token` and a `refresh_token` in the response), and providers echo them inconsistently in `scope` (Google
 * returns `email` as `https://www.googleapis.com/auth/userinfo.email`, Entra ID leaves out `offline_access`).
 * The granted-scope check is therefore about the directory scopes.
 */
const OIDC_SCOPES = new Set(["openid", "email", "profile", "offline_access"]);

/** A pending authorization is valid this long (ms). */
const STATE_TTL_MS = 10 * 60 * 1000;
/** An access token with less than this left (s) is refreshed first. */
const ACCESS_TOKEN_MARGIN_SECONDS = 60;
/** How often waiters for another instance's refresh look again (ms), and how long they wait at most (ms; the lease is 30 s). */
const REFRESH_POLL_MS = 150;
const REFRESH_WAIT_MS = 35_000;

/** What is sealed in `integrations.credentials` for an OAuth provider. */
interface OAuthCredentials {
  access_token: string;
  refresh_token: string;
  /** Seconds since the epoch. */
  expires_at: number;
  scope: string;
}

function isOAuthProvider(provider: string): provider is OAuthProvider {
  return provider === "google" || provider === "okta" || provider === "entra";
}

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function binding(integration: Pick<IntegrationRecord, "id" | "partnerId" | "provider">): CredentialBinding {
  return { partnerId: integration.partnerId, integrationId: integration.id, provider: integration.provider };
}

/** The configured OAuth app for a provider, or an IntegrationError when the deployment has none. */
function oauthApp(provider: OAuthProvider): IntegrationOAuthApp {
  const app = getConfig().integrations[provider];
  if (!app) throw new IntegrationError(`This Gatehouse deployment has no ${providerName(provider)} app configured.`);
  return app;
}

function providerName(provider: OAuthProvider): string {
  return { google: "Google Workspace", okta: "Okta", entra: "Microsoft Entra ID" }[provider];
}

/** The domains Okta serves orgs from (https://developer.okta.com/docs/guides/find-your-domain/main/). */
const OKTA_DOMAINS = ["okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com"];

/**
 * Checks an Okta org URL a partner entered: `https://<org>.okta.com` (or another of Okta's own domains), no path,
 * credentials, query or fragment, so Gatehouse never sends its client secret anywhere but Okta. A loopback URL is
 * accepted too when `integrations.allowLocalEndpoints` (development and tests: the local emulator's `<url>/okta/<org>`).
 * @returns the org URL without a trailing slash (the org authorization server's issuer)
 * @throws IntegrationError with a message the partner can act on
 */
export function oktaOrgUrl(directory: string | null): string {
  const example = "enter it like https://your-org.okta.com";
  let url: URL;
  try {
    url = new URL(directory ?? "");
  } catch {
    throw new IntegrationError(`The Okta domain is not a URL; ${example}.`);
  }
  if (url.username || url.password || url.search || url.hash || !["https:", "http:"].includes(url.protocol)) {
    throw new IntegrationError(`The Okta domain must be a plain https:// address; ${example}.`);
  }
  const oktaOrg = url.protocol === "https:" && OKTA_DOMAINS.some((domain) => url.hostname.endsWith(`.${domain}`)) && url.port === "" && url.pathname === "/";
  // Outside production the local emulator's `http://127.0.0.1:<port>/okta/<org>` too, and nothing else: a staging
  // deployment with real Okta credentials must not send them to an arbitrary host either.
  const localEmulator = getConfig().integrations.allowLocalEndpoints && isLoopbackUrl(url.href);
  if (!oktaOrg && !localEmulator) throw new IntegrationError(`The Okta domain must be your org's https:// address at Okta; ${example}.`);
  return url.href.replace(/\/+$/, "");
}

/**
 * The provider's authorization server for one integration, from configuration (no discovery request):
 * - Google: `integrations.google` endpoints, issuer `https://accounts.google.com` (the emulator's
 *   INTEGRATION_GOOGLE_URL when one is configured);
 * - Okta: the org authorization server of the org URL in `integration.directory` (`<org>/oauth2/v1/authorize|token`,
 *   issuer = the org URL);
 * - Entra ID: `<loginBase>/<tenant id = integration.directory>/oauth2/v2.0/authorize|token`, issuer
 *   `<loginBase>/<tenant>/v2.0`.
 * @throws IntegrationError when the provider has no configured app, or the directory is not acceptable
 */
export function authorizationServer(integration: Pick<IntegrationRecord, "provider" | "directory">): oauth.AuthorizationServer {
  const { provider } = integration;
  if (!isOAuthProvider(provider)) throw new IntegrationError("This integration does not connect with OAuth.");
  const config = getConfig().integrations;
  if (provider === "google") {
    const google = config.google;
    if (!google) throw new IntegrationError("This Gatehouse deployment has no Google Workspace app configured.");
    const defaultEndpoint = google.authorizationEndpoint === "https://accounts.google.com/o/oauth2/v2/auth";
    return {
      issuer: defaultEndpoint ? "https://accounts.google.com" : google.apiBase,
      authorization_endpoint: google.authorizationEndpoint,
      token_endpoint: google.tokenEndpoint,
    };
  }
  if (provider === "okta") {
    oauthApp("okta");
    const org = oktaOrgUrl(integration.directory);
    return { issuer: org, authorization_endpoint: `${org}/oauth2/v1/authorize`, token_endpoint: `${org}/oauth2/v1/token` };
  }
  const entra = config.entra;
  if (!entra) throw new IntegrationError("This Gatehouse deployment has no Microsoft Entra ID app configured.");
  const tenant = integration.directory ?? "";
  // A tenant id is a GUID (or a verified domain); anything else would change the endpoint's path.
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(tenant) || ["common", "organizations", "consumers"].includes(tenant.toLowerCase())) {
    throw new IntegrationError("The Entra ID tenant id is not valid; copy the Directory (tenant) ID from the Entra admin center.");
  }
  const base = `${entra.loginBase}/${tenant}`;
  return { issuer: `${base}/v2.0`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, token_endpoint: `${base}/oauth2/v2.0/token` };
}

/** oauth4webapi refuses http:// unless told; only the local emulators (allowLocalEndpoints) are ever http. */
/**
 * Every token request gives up after TOKEN_REQUEST_TIMEOUT_MS, well inside the 30-second refresh lease: a refresh
 * still in flight when the lease ran out could otherwise race another instance's refresh with the same (rotating)
 * refresh token, and the provider would answer one of them invalid_grant.
 */
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

function requestOptions(as: oauth.AuthorizationServer, signal?: AbortSignal): oauth.TokenEndpointRequestOptions {
  const insecure = getConfig().integrations.allowLocalEndpoints && as.token_endpoint?.startsWith("http://");
  const timeout = AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS);
  return { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}) };
}

/**
 * Starts connecting a directory: the authorization request of the authorization code grant (RFC 6749 §4.1.1) with
 * PKCE S256 (RFC 7636) and a single-use `state` bound to the browser session (RFC 9700 §4.7.1). The state
 * (32 random bytes, base64url) is stored only as its SHA-256, with the sealed code_verifier, for 10 minutes.
 * Google also gets `hd=<domain>`, `access_type=offline` and `prompt=consent` (so a refresh token is issued).
 *
 * @param input.integration a pending (or reconnect_needed) OAuth integration, its `directory` set
 * @param input.userId      the signed-in person starting the flow
 * @param input.sessionId   their Auth.js session id (only its SHA-256 is stored)
 * @param input.redirectUri `${appUrl}/api/integrations/oauth/callback`
 * @returns the provider URL to redirect the browser to
 * @throws IntegrationError when the provider is not configured or the directory is not acceptable
 */
export async function startAuthorization(input: { integration: IntegrationRecord; userId: string; sessionId: string; redirectUri: string }): Promise<{ authorizationUrl: string }> {
  const { integration } = input;
  const as = authorizationServer(integration);
  const provider = integration.provider as OAuthProvider;
  const app = oauthApp(provider);
  if (!integration.directory) throw new IntegrationError("Name the directory before connecting it.");

  // Abandoned attempts go after an hour (a late callback still hears "took longer than 10 minutes" until then).
  await sql`DELETE FROM integration_oauth_states WHERE expires_at < now() - interval '1 hour'`;
  const state = randomBytes(32).toString("base64url");
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  await db.integrationOAuthState.create({
    data: {
      stateDigest: sha256Hex(state),
      integrationId: integration.id,
      partnerId: integration.partnerId,
      provider: integration.provider,
      sessionDigest: sha256Hex(input.sessionId),
      userId: input.userId,
      codeVerifier: sealCredentials(binding(integration), { code_verifier: codeVerifier }).sealed,
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    },
  });

  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set("client_id", app.clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("scope", REQUIRED_SCOPES[provider].join(" "));
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (provider === "google") {
    url.searchParams.set("hd", integration.directory);
    url.searchParams.set("access_type", "offline");
    url.searchParams.set("prompt", "consent");
  }
  return { authorizationUrl: url.href };
}

interface StateRow {
  integration_id: string;
  partner_id: string;
  provider: string;
  session_digest: string;
  user_id: string;
  code_verifier: string;
  expires_at: Date;
}

/**
 * Finishes connecting a directory: the redirection endpoint of RFC 6749 §4.1.2. Consumes the state atomically (two
 * callbacks with one state: exactly one proceeds), refuses a state that is unknown, expired, or from another
 * session, partner or user; exchanges the code with the PKCE code_verifier (RFC 6749 §4.1.3, RFC 7636 §4.5) using
 * client_secret_basic; requires an ID token (oauth4webapi validates its iss, aud, exp, iat), a refresh token, every
 * required directory scope in the granted `scope` (absent: as requested, RFC 6749 §5.1), and the directory the
 * partner named: Entra ID `tid`, Google `hd`, Okta the issuer (the org URL). Then stores the sealed tokens, status
 * `connected`, and audits `integration.connected`.
 *
 * @param input.params      the callback's query parameters (`code` and `state`, or `error`)
 * @param input.userId      the signed-in person (must be the one who started the flow)
 * @param input.partnerId   their partner (must own the integration)
 * @param input.sessionId   their Auth.js session id (must be the session that started the flow)
 * @param input.redirectUri the same redirect URI as in the authorization request
 * @returns the connected integration
 * @throws IntegrationError code `access_denied` on any refusal (audited `integration.oauth_refused`; nothing stored),
 *   `provider_error` when the provider cannot be reached or answers outside the protocol
 */
export async function completeAuthorization(input: { params: URLSearchParams; userId: string; partnerId: string; sessionId: string; redirectUri: string }): Promise<IntegrationRecord> {
  const state = input.params.get("state");
  const rows = state ? await sql<StateRow>`DELETE FROM integration_oauth_states WHERE state_digest = ${sha256Hex(state)} RETURNING integration_id, partner_id, provider::text AS provider, session_digest, user_id, code_verifier, expires_at` : [];
  const row = rows[0];
  const refuse = async (reason: string, message: string, integrationId?: string): Promise<never> => {
    await recordAudit({
      action: "integration.oauth_refused",
      actor: { type: "user", id: input.userId },
      partnerId: input.partnerId,
      target: integrationId ? { type: "integration", id: integrationId } : null,
      metadata: { reason },
    });
    throw new IntegrationError(message, "access_denied");
  };

  if (!row) return refuse("unknown_state", "This connection attempt is unknown or was already used. Start connecting again.");
  if (row.partner_id !== input.partnerId || row.user_id !== input.userId) {
    return refuse("wrong_user", "This connection attempt was started by someone else. Start connecting again.");
  }
  if (row.session_digest !== sha256Hex(input.sessionId)) {
    return refuse("wrong_session", "This connection attempt was started in another browser session. Start connecting again.", row.integration_id);
  }
  if (row.expires_at.getTime() <= Date.now()) {
    return refuse("expired_state", "This connection attempt took longer than 10 minutes. Start connecting again.", row.integration_id);
  }
  const integration = await db.integration.findFirst({ where: { id: row.integration_id, partnerId: input.partnerId, provider: row.provider as OAuthProvider } });
  if (!integration || !isOAuthProvider(integration.provider)) {
    return refuse("unknown_integration", "This integration no longer exists.");
  }
  const provider = integration.provider;
  const error = input.params.get("error");
  if (error) {
    const reason = /^[a-z_]{1,40}$/.test(error) ? `provider_${error}` : "provider_error";
    return refuse(
      reason,
      error === "access_denied"
        ? `The ${providerName(provider)} administrator did not allow Gatehouse access. Connect again and choose Allow.`
        : `${providerName(provider)} refused the connection (${reason.slice(9)}). Connect again, signed in as an administrator of the directory.`,
      integration.id,
    );
  }

  let tokens: oauth.TokenEndpointResponse;
  let claims: oauth.IDToken;
  try {
    const codeVerifier = openCredentials<{ code_verifier: string }>(binding(integration), row.code_verifier).reveal().code_verifier;
    const as = authorizationServer(integration);
    const app = oauthApp(provider);
    const client: oauth.Client = { client_id: app.clientId };
    // RFC 9207: the `iss` parameter, when present, must be this server's; `state` was already matched by digest.
    const callback = oauth.validateAuthResponse(as, client, input.params, oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(app.clientSecret), callback, input.redirectUri, codeVerifier, requestOptions(as));
    tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
    claims = oauth.getValidatedIdTokenClaims(tokens)!;
  } catch (cause) {
    if (cause instanceof IntegrationError) return refuse("configuration", cause.message, integration.id);
    if (cause instanceof oauth.ResponseBodyError) {
      const code = /^[a-z_]{1,40}$/.test(cause.error) ? cause.error : "error";
      return refuse(`token_${code}`, `${providerName(provider)} refused to issue tokens (${code}). Connect again.`, integration.id);
    }
    if (cause instanceof oauth.OperationProcessingError || cause instanceof oauth.AuthorizationResponseError) {
      return refuse("invalid_response", `${providerName(provider)} answered with a response Gatehouse cannot accept (the issuer or ID token did not match). Connect again.`, integration.id);
    }
    throw new IntegrationError(`${providerName(provider)} could not be reached to finish the connection. Try again in a moment.`);
  }

  const granted = tokens.scope === undefined ? REQUIRED_SCOPES[provider] : tokens.scope.split(" ").filter(Boolean);
  const missing = missingScopes(provider, granted);
  if (missing.length > 0) {
    return refuse("insufficient_scope", `Gatehouse needs read-only access to users, groups and roles, but these permissions were not granted: ${missing.join(", ")}. Connect again and grant them all.`, integration.id);
  }
  if (!tokens.refresh_token) {
    return refuse("no_refresh_token", `${providerName(provider)} did not issue a refresh token. Remove Gatehouse's previous access in ${providerName(provider)} and connect again.`, integration.id);
  }
  const directory = integration.directory ?? "";
  if (provider === "entra" && (typeof claims.tid !== "string" || claims.tid.toLowerCase() !== directory.toLowerCase())) {
    return refuse("wrong_directory", `You signed in to a different Entra ID tenant than ${directory}. Sign in with an administrator of that tenant.`, integration.id);
  }
  if (provider === "google" && (typeof claims.hd !== "string" || claims.hd.toLowerCase() !== directory.toLowerCase())) {
    return refuse("wrong_directory", `You signed in with an account outside ${directory}. Sign in with an administrator of that Google Workspace domain.`, integration.id);
  }

  const credentials: OAuthCredentials = {
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 3600),
    scope: granted.join(" "),
  };
  const sealed = sealCredentials(binding(integration), credentials);
  return db.$transaction(async (tx) => {
    const updated = await tx.integration.update({
      where: { id: integration.id },
      data: { credentials: sealed.sealed, credentialsKeyId: sealed.keyId, grantedScopes: granted, status: "connected", refreshLeaseUntil: null },
    });
    await recordAudit(integrationAudit("connected", integration, { type: "user", id: input.userId }, { provider, directory, scopes: granted.join(" ") }), tx);
    return toRecord(updated);
  });
}

/** The required directory scopes that are not in `granted`; Entra ID scopes compare case-insensitively, Graph's prefix optional. */
function missingScopes(provider: OAuthProvider, granted: string[]): string[] {
  const normalise = (scope: string) => (provider === "entra" ? scope.replace(/^https:\/\/graph\.microsoft\.com\//i, "").toLowerCase() : scope);
  const have = new Set(granted.map(normalise));
  return REQUIRED_SCOPES[provider].filter((scope) => !OIDC_SCOPES.has(scope) && !have.has(normalise(scope)));
}

function toRecord(row: IntegrationRecord): IntegrationRecord {
  const { id, partnerId, provider, name, status, externalId, roleArn, accountId, directory, grantedScopes, credentials, credentialsKeyId } = row;
  return { id, partnerId, provider, name, status, externalId, roleArn, accountId, directory, grantedScopes, credentials, credentialsKeyId };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Whether the stored access token has more than the margin left (otherwise it is refreshed before use). */
function usable(credentials: OAuthCredentials): boolean {
  return credentials.expires_at - Date.now() / 1000 > ACCESS_TOKEN_MARGIN_SECONDS;
}

/** Whether a token another instance just obtained is still valid (a provider may issue tokens shorter than the margin). */
function notExpired(credentials: OAuthCredentials): boolean {
  return credentials.expires_at - Date.now() / 1000 > 5;
}

/**
 * An access token for the integration's directory API (RFC 6750 Bearer). Returns the stored one while it has more
 * than 60 s left; otherwise refreshes it (RFC 6749 §6) once across all instances: whoever takes the lease
 * (`refresh_lease_until`, 30 s) re-reads the credentials, refreshes, and saves the new access token and the rotated
 * refresh token (RFC 9700 §4.14.2; the old one is kept only when none was returned) while clearing the lease, in one
 * UPDATE; the others poll every 150 ms until the credentials change or the lease is gone (at most 35 s).
 *
 * @param integration the integration as read by the caller (its sealed credentials)
 * @param signal      aborts waiting and the refresh request
 * @returns the access token: pass it only to the provider's API, never log it
 * @throws IntegrationError `reconnect_needed` when the provider answers invalid_grant (the refresh token was
 *   revoked or expired: status set to reconnect_needed, credentials cleared, audited) or nothing is stored;
 *   `provider_error` when the provider cannot be reached or the wait for another instance's refresh runs out
 */
export async function getAccessToken(integration: IntegrationRecord, signal?: AbortSignal): Promise<string> {
  if (!isOAuthProvider(integration.provider)) throw new IntegrationError("This integration does not use OAuth access tokens.");
  if (!integration.credentials) throw new IntegrationError(`Reconnect ${providerName(integration.provider)}: Gatehouse holds no authorization for it.`, "reconnect_needed");
  const current = openCredentials<OAuthCredentials>(binding(integration), integration.credentials).reveal();
  if (usable(current)) return current.access_token;

  const deadline = Date.now() + REFRESH_WAIT_MS;
  let seen = integration.credentials;
  for (;;) {
    signal?.throwIfAborted();
    const leased = await sql<{ credentials: string | null }>`
      UPDATE integrations SET refresh_lease_until = now() + interval '30 seconds'
      WHERE id = ${integration.id} AND (refresh_lease_until IS NULL OR refresh_lease_until < now())
      RETURNING credentials`;
    if (leased[0]) return refreshHoldingLease(integration, leased[0].credentials, seen, signal);

    // Another instance is refreshing: wait for its result.
    await sleep(REFRESH_POLL_MS, signal);
    const [latest] = await sql<{ credentials: string | null; status: string }>`SELECT credentials, status FROM integrations WHERE id = ${integration.id}`;
    if (!latest?.credentials) throw new IntegrationError(`Reconnect ${providerName(integration.provider)}: it refused Gatehouse's authorization.`, "reconnect_needed");
    if (latest.credentials !== seen) {
      const fresh = openCredentials<OAuthCredentials>(binding(integration), latest.credentials).reveal();
      if (notExpired(fresh)) return fresh.access_token;
      seen = latest.credentials;
    }
    if (Date.now() > deadline) throw new IntegrationError(`${providerName(integration.provider)} took too long to renew Gatehouse's access. Try again in a moment.`);
  }
}

/** The refresh itself, under the lease. Always clears the lease (saved with the new tokens, or released on failure). */
async function refreshHoldingLease(integration: IntegrationRecord, sealedNow: string | null, seen: string, signal?: AbortSignal): Promise<string> {
  const provider = integration.provider as OAuthProvider;
  const release = () => sql`UPDATE integrations SET refresh_lease_until = NULL WHERE id = ${integration.id}`;
  let saved = false;
  try {
    if (!sealedNow) throw new IntegrationError(`Reconnect ${providerName(provider)}: Gatehouse holds no authorization for it.`, "reconnect_needed");
    const stored = openCredentials<OAuthCredentials>(binding(integration), sealedNow).reveal();
    // Another instance may have refreshed between our read and our lease: use its token.
    if (usable(stored) || (sealedNow !== seen && notExpired(stored))) return stored.access_token;

    const as = authorizationServer(integration);
    const app = oauthApp(provider);
    const client: oauth.Client = { client_id: app.clientId };
    let tokens: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretBasic(app.clientSecret), stored.refresh_token, requestOptions(as, signal));
      tokens = await oauth.processRefreshTokenResponse(as, client, response);
    } catch (cause) {
      if (cause instanceof oauth.ResponseBodyError && cause.error === "invalid_grant") {
        await markReconnectNeeded(integration, sealedNow);
        saved = true;
        throw new IntegrationError(`${providerName(provider)} no longer accepts Gatehouse's authorization (it was revoked or expired). Connect the directory again.`, "reconnect_needed");
      }
      if (signal?.aborted) throw cause;
      throw new IntegrationError(`${providerName(provider)} could not renew Gatehouse's access. Try again in a moment.`);
    }

    const credentials: OAuthCredentials = {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? stored.refresh_token,
      expires_at: Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 3600),
      scope: tokens.scope ?? stored.scope,
    };
    const sealed = sealCredentials(binding(integration), credentials);
    await db.$transaction(async (tx) => {
      await tx.integration.update({ where: { id: integration.id }, data: { credentials: sealed.sealed, credentialsKeyId: sealed.keyId, refreshLeaseUntil: null } });
      await recordAudit(integrationAudit("credentials_refreshed", integration, { type: "system" }, { provider, rotated: tokens.refresh_token !== undefined }), tx);
    });
    saved = true;
    return credentials.access_token;
  } finally {
    if (!saved) await release();
  }
}

/**
 * invalid_grant (RFC 6749 §5.2): the refresh token is dead; clear it, mark the integration and audit, atomically, but
 * only if the row still holds the credentials that were refused (a consent completed meanwhile stays).
 */
async function markReconnectNeeded(integration: IntegrationRecord, refused: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const cleared = await tx.integration.updateMany({
      where: { id: integration.id, credentials: refused },
      data: { status: "reconnect_needed", credentials: null, credentialsKeyId: null, refreshLeaseUntil: null },
    });
    if (cleared.count === 0) {
      await tx.integration.updateMany({ where: { id: integration.id }, data: { refreshLeaseUntil: null } });
      return;
    }
    await recordAudit(integrationAudit("reconnect_needed", integration, { type: "system" }, { provider: integration.provider, reason: "invalid_grant" }), tx);
  });
}
