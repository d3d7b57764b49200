/**
 * The emulator's OAuth 2.0 authorization servers (index.ts lists the paths): the authorization code grant with a
 * consent page (RFC 6749 §4.1), PKCE S256 required (RFC 7636), client authentication by client_secret_basic or
 * client_secret_post compared in constant time (RFC 6749 §2.3.1), and refresh tokens that rotate (RFC 9700
 * §4.14.2: each refresh issues a new one; presenting a used one is invalid_grant and ends the whole family).
 * ID tokens are RS256 JWTs shaped like each provider's: issuer (Okta: the org URL; Google: `<origin>/google`;
 * Entra ID: `<origin>/entra/<tenant>/v2.0`), `aud` = client_id, plus Google's `hd` and Entra ID's `tid`.
 *
 * The consent page lets the person say which directory their account belongs to (default: the one asked for),
 * which is how a test signs in "with an account of another domain/tenant". Tests shorten access tokens, withhold
 * scopes and revoke a directory's grants with the exported setters below. Development and tests only.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { SignJWT, generateKeyPair } from "jose";
import { LOCAL_DIRECTORY_CLIENTS, type DirectoryProvider, type EmulatorContext, type EmulatorHandler } from "./shared.ts";

/** An authorization code lives this long (ms), like Okta's and Entra ID's short-lived codes. */
const CODE_TTL_MS = 60_000;
const ID_TOKEN_TTL_SECONDS = 300;

let accessTokenLifetimeSeconds = 3600;
let withheldScopes = new Set<string>();

/** Access tokens issued from now on last `seconds` (default 3600; a test passes e.g. 30 to make them "expiring"). */
export function setLocalAccessTokenLifetime(seconds = 3600): void {
  accessTokenLifetimeSeconds = seconds;
}

/** From now on, consent grants every requested scope except these (a partner who unticks permissions); [] resets. */
export function setLocalWithheldScopes(scopes: string[]): void {
  withheldScopes = new Set(scopes);
}

/** Kills every refresh token of a directory (its administrator revoked the app): the next refresh is invalid_grant. */
export function revokeLocalRefreshTokens(provider: DirectoryProvider, directory: string): void {
  for (const family of families) if (family.provider === provider && family.directory.toLowerCase() === directory.toLowerCase()) family.revoked = true;
}

/** One authorization's refresh tokens: only `current` is live; any other member presented revokes the family. */
interface Family {
  provider: DirectoryProvider;
  directory: string;
  scopes: string[];
  current: string;
  revoked: boolean;
}

interface PendingCode {
  provider: DirectoryProvider;
  directory: string;
  /** The directory of the account that consented (Google `hd`, Entra ID `tid`). */
  account: string;
  issuer: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  nonce: string | null;
  /** Google issues a refresh token only for access_type=offline; Okta and Entra ID only for offline_access. */
  offline: boolean;
  expiresAt: number;
  /** Set once redeemed: a second redemption revokes what the first issued (RFC 6749 §4.1.2). */
  family: Family | null;
  used: boolean;
}

const codes = new Map<string, PendingCode>();
const refreshTokens = new Map<string, Family>();
const families = new Set<Family>();
const signingKey = generateKeyPair("RS256");
const keyId = randomBytes(8).toString("hex");

const PROVIDER_NAMES: Record<DirectoryProvider, string> = { okta: "Okta", google: "Google Workspace", entra: "Microsoft Entra ID" };

/** Which authorization server a path belongs to, for which directory (null for Google: the directory is `hd`). */
function route(pathname: string): { provider: DirectoryProvider; endpoint: "authorize" | "token"; segment: string | null } | null {
  let match = /^\/okta\/([A-Za-z0-9-]+)\/oauth2\/v1\/(authorize|token)$/.exec(pathname);
  if (match) return { provider: "okta", endpoint: match[2] as "authorize" | "token", segment: match[1]! };
  match = /^\/entra\/([A-Za-z0-9.-]+)\/oauth2\/v2\.0\/(authorize|token)$/.exec(pathname);
  if (match) return { provider: "entra", endpoint: match[2] as "authorize" | "token", segment: match[1]! };
  if (pathname === "/google/o/oauth2/v2/auth") return { provider: "google", endpoint: "authorize", segment: null };
  if (pathname === "/google/token") return { provider: "google", endpoint: "token", segment: null };
  return null;
}

function issuerFor(context: EmulatorContext, provider: DirectoryProvider, directory: string): string {
  if (provider === "okta") return `${context.origin}/okta/${directory}`;
  if (provider === "google") return `${context.origin}/google`;
  return `${context.origin}/entra/${directory}/v2.0`;
}

export const handleOAuth: EmulatorHandler = async (request, response, url, context) => {
  const found = route(url.pathname);
  if (!found) return false;
  const body = request.method === "POST" ? new URLSearchParams(await readBody(request)) : new URLSearchParams();
  if (found.endpoint === "token") {
    if (request.method !== "POST") return json(response, 405, { error: "invalid_request", error_description: "POST only" });
    return token(request, response, body, found.provider, found.segment, context);
  }
  if (request.method !== "GET" && request.method !== "POST") return page(response, 405, "Method not allowed", "Use GET or POST.");
  return authorize(response, request.method === "GET" ? url.searchParams : body, request.method === "POST", found.provider, found.segment, context);
};

/** The authorization endpoint: GET shows the consent page, its form POSTs the decision back here. */
function authorize(response: http.ServerResponse, params: URLSearchParams, decided: boolean, provider: DirectoryProvider, segment: string | null, context: EmulatorContext): true {
  const client = LOCAL_DIRECTORY_CLIENTS[provider];
  const redirectUri = params.get("redirect_uri") ?? "";
  // Without a known client and a registered redirect URI, errors are shown here, never redirected (RFC 6749 §4.1.2.1).
  if (params.get("client_id") !== client.clientId) return page(response, 400, "Unknown client", "client_id is not an app registered here.");
  if (!context.redirectOrigins.some((origin) => redirectUri.startsWith(`${origin}/`))) return page(response, 400, "Invalid redirect_uri", "redirect_uri is not registered for this app.");
  const directory = segment ?? params.get("hd") ?? "";
  if (!context.store.has(provider, directory)) return page(response, 404, "Unknown directory", `No ${PROVIDER_NAMES[provider]} directory "${directory}" here.`);
  const issuer = issuerFor(context, provider, directory);

  const back = (fields: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(fields)) target.searchParams.set(name, value);
    if (params.get("state")) target.searchParams.set("state", params.get("state")!);
    target.searchParams.set("iss", issuer);
    response.writeHead(302, { location: target.href, "cache-control": "no-store" }).end();
    return true as const;
  };
  if (params.get("response_type") !== "code") return back({ error: "unsupported_response_type" });
  const codeChallenge = params.get("code_challenge") ?? "";
  if (params.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return back({ error: "invalid_request", error_description: "PKCE with code_challenge_method=S256 is required" });
  }
  const scopes = (params.get("scope") ?? "").split(" ").filter(Boolean);
  if (scopes.length === 0) return back({ error: "invalid_scope", error_description: "scope is required" });

  if (!decided) return consentPage(response, provider, directory, scopes, params);
  if (params.get("decision") !== "allow") return back({ error: "access_denied", error_description: "The user denied the request" });
  // Okta's org comes from the URL: no account choice there.
  const account = provider === "okta" ? directory : (params.get("account") ?? directory);
  if (!context.store.has(provider, account)) return page(response, 400, "Unknown account", `No ${PROVIDER_NAMES[provider]} directory "${account}" to sign in with.`);

  const code = randomBytes(32).toString("base64url");
  codes.set(code, {
    provider,
    directory,
    account,
    issuer: provider === "entra" ? issuerFor(context, provider, account) : issuer,
    redirectUri,
    codeChallenge,
    scopes: scopes.filter((scope) => !withheldScopes.has(scope)),
    nonce: params.get("nonce"),
    offline: provider === "google" ? params.get("access_type") === "offline" : scopes.includes("offline_access"),
    expiresAt: Date.now() + CODE_TTL_MS,
    family: null,
    used: false,
  });
  return back({ code });
}

/** The token endpoint: client authentication, then the authorization_code or refresh_token grant. */
async function token(request: http.IncomingMessage, response: http.ServerResponse, body: URLSearchParams, provider: DirectoryProvider, segment: string | null, context: EmulatorContext): Promise<true> {
  const client = LOCAL_DIRECTORY_CLIENTS[provider];
  const basic = basicCredentials(request.headers.authorization);
  const posted = body.has("client_secret");
  if (basic && posted) return json(response, 400, { error: "invalid_request", error_description: "use one client authentication method" });
  const [clientId, clientSecret] = basic ?? [body.get("client_id"), body.get("client_secret")];
  if (clientId !== client.clientId || !sameSecret(clientSecret ?? "", client.clientSecret)) {
    response.setHeader("www-authenticate", 'Basic realm="token"');
    return json(response, 401, { error: "invalid_client", error_description: "client authentication failed" });
  }
  const invalidGrant = (description: string) => json(response, 400, { error: "invalid_grant", error_description: description });

  const grantType = body.get("grant_type");
  if (grantType === "authorization_code") {
    const code = body.get("code") ?? "";
    const pending = codes.get(code);
    if (!pending) return invalidGrant("unknown authorization code");
    if (pending.used) {
      if (pending.family) pending.family.revoked = true;
      return invalidGrant("authorization code already used; the tokens issued with it are revoked");
    }
    pending.used = true;
    const verifier = body.get("code_verifier") ?? "";
    if (pending.expiresAt < Date.now()) return invalidGrant("authorization code expired");
    if (pending.provider !== provider || (segment !== null && pending.directory !== segment)) return invalidGrant("authorization code was issued by another authorization server");
    if (pending.redirectUri !== body.get("redirect_uri")) return invalidGrant("redirect_uri does not match the authorization request");
    if (!sameSecret(createHash("sha256").update(verifier).digest("base64url"), pending.codeChallenge)) return invalidGrant("PKCE verification failed");

    const family: Family | null = pending.offline ? { provider, directory: pending.directory, scopes: pending.scopes, current: "", revoked: false } : null;
    pending.family = family;
    const idToken = await new SignJWT({
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
      email: `admin@${provider === "google" ? pending.account : `${pending.account}.example`}`,
      ...(provider === "google" ? { hd: pending.account } : {}),
      ...(provider === "entra" ? { tid: pending.account } : {}),
    })
      .setProtectedHeader({ alg: "RS256", kid: keyId, typ: "JWT" })
      .setIssuer(pending.issuer)
      .setAudience(client.clientId)
      .setSubject(`admin-${pending.account}`)
      .setIssuedAt()
      .setExpirationTime(`${ID_TOKEN_TTL_SECONDS}s`)
      .sign((await signingKey).privateKey);
    return json(response, 200, { ...issueTokens(context, provider, pending.directory, pending.scopes, family), id_token: idToken });
  }

  if (grantType === "refresh_token") {
    context.faults.refreshCount[provider] += 1;
    const presented = body.get("refresh_token") ?? "";
    const family = refreshTokens.get(presented);
    if (!family || family.revoked) return invalidGrant("refresh token is revoked or unknown");
    if (family.current !== presented) {
      family.revoked = true;
      return invalidGrant("refresh token was already used; every token of this authorization is revoked");
    }
    if (family.provider !== provider || (segment !== null && family.directory !== segment)) return invalidGrant("refresh token was issued by another authorization server");
    return json(response, 200, issueTokens(context, provider, family.directory, family.scopes, family));
  }
  return json(response, 400, { error: "unsupported_grant_type" });
}

/** A new access token (registered for the directory APIs) and, for an offline family, the next refresh token. */
function issueTokens(context: EmulatorContext, provider: DirectoryProvider, directory: string, scopes: string[], family: Family | null) {
  const accessToken = randomBytes(32).toString("base64url");
  context.tokens.add(accessToken, { provider, directory, scopes, expiresAt: Date.now() + accessTokenLifetimeSeconds * 1000 });
  let refreshToken: string | undefined;
  if (family) {
    refreshToken = randomBytes(32).toString("base64url");
    family.current = refreshToken;
    refreshTokens.set(refreshToken, family);
    families.add(family);
  }
  return { access_token: accessToken, token_type: "Bearer", expires_in: accessTokenLifetimeSeconds, scope: scopes.join(" "), ...(refreshToken ? { refresh_token: refreshToken } : {}) };
}

function consentPage(response: http.ServerResponse, provider: DirectoryProvider, directory: string, scopes: string[], params: URLSearchParams): true {
  const hidden = [...params]
    .filter(([name]) => name !== "decision" && name !== "account")
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join("");
  const account =
    provider === "okta" ? "" : `<p><label>Signed in with an account of <input name="account" value="${escape(directory)}"></label></p>`;
  const list = scopes.map((scope) => `<li><code>${escape(scope)}</code></li>`).join("");
  const title = `${PROVIDER_NAMES[provider]} (local): Gatehouse wants read-only access to ${directory}`;
  return html(
    response,
    200,
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>` +
      `<form method="post">${hidden}${account}<p>Permissions requested:</p><ul>${list}</ul>` +
      `<button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></form></body></html>`,
  );
}

function page(response: http.ServerResponse, status: number, title: string, text: string): true {
  return html(response, status, `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`);
}

function html(response: http.ServerResponse, status: number, text: string): true {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(text);
  return true;
}

function json(response: http.ServerResponse, status: number, value: unknown): true {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(value));
  return true;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    request.on("data", (chunk: Buffer) => {
      data += chunk.toString("utf8");
      if (data.length > 64 * 1024) request.destroy();
    });
    request.on("end", () => resolve(data));
    request.on("error", reject);
  });
}

/** RFC 6749 §2.3.1: client_id and secret are form-urlencoded, then joined with ":" and base64-encoded. */
function basicCredentials(header: string | undefined): [string, string] | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
  try {
    return [decode(decoded.slice(0, colon)), decode(decoded.slice(colon + 1))];
  } catch {
    return null;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
