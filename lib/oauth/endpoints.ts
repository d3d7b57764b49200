/**
 * The authorization server's endpoints as short pipelines of named steps (after node-oidc-provider's actions):
 * read the form → authenticate the client → do the one thing → answer with `Cache-Control: no-store`.
 */
import { OAuthError } from "@/lib/http/errors";
import { clientIp, enforceRateLimit } from "@/lib/http/rate-limit";
import { authenticateClient } from "@/lib/oauth/clients";
import { readClientCredentials, readFormParams } from "@/lib/oauth/token-request";
import { introspectToken, issueAccessToken, revokeToken } from "@/lib/oauth/tokens";
import { issuerUrl, SCOPES, resourceServers } from "@/lib/oauth/scopes";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

async function authenticatedForm(request: Request) {
  const params = await readFormParams(request);
  const credentials = readClientCredentials(request, params);
  const client = await authenticateClient(credentials.clientId, credentials.clientSecret, { basic: credentials.basic });
  return { params, client };
}

/**
 * `POST /oauth/token`: RFC 6749 §4.4 client credentials.
 *
 * Rate limited (RATE_LIMIT_TOKEN_PER_MINUTE): an authenticated client per client_id and IP; failed client
 * authentications per IP, whatever client_id they name (so a spray of made-up ids is one budget, and nobody else
 * can spend a real client's budget by sending it wrong secrets).
 * @param meta.requestId for the audit event of a refusal
 * @throws OAuthError (RFC 6749 §5.2), RateLimitedError (429 + Retry-After)
 */
export async function handleTokenRequest(request: Request, meta: { requestId?: string } = {}): Promise<Response> {
  const params = await readFormParams(request);
  const grantType = params.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "The grant_type parameter is required.");
  const credentials = readClientCredentials(request, params);
  const ip = clientIp(request.headers);
  const context = { ip, requestId: meta.requestId };
  let client;
  try {
    client = await authenticateClient(credentials.clientId, credentials.clientSecret, { basic: credentials.basic });
  } catch (error) {
    if (error instanceof OAuthError && error.code === "invalid_client") await enforceRateLimit("oauth-token", `failures:ip:${ip}`, context);
    throw error;
  }
  await enforceRateLimit("oauth-token", `client:${client.clientId}:ip:${ip}`, context);
  if (grantType !== "client_credentials") throw new OAuthError("unsupported_grant_type", "Only client_credentials is supported.");
  if (params.has("resource") && params.has("audience") && params.get("resource") !== params.get("audience")) {
    throw new OAuthError("invalid_request", "Send resource or audience, not two different values.");
  }
  const token = await issueAccessToken(client, { scope: params.get("scope"), resource: params.get("resource") ?? params.get("audience") });
  return Response.json(token, { headers: NO_STORE });
}

/** `POST /oauth/introspect`: RFC 7662, for authenticated clients of the same tenant. */
export async function handleIntrospectionRequest(request: Request): Promise<Response> {
  const { params, client } = await authenticatedForm(request);
  const token = params.get("token");
  if (!token) throw new OAuthError("invalid_request", "The token parameter is required.");
  return Response.json(await introspectToken(client, token), { headers: NO_STORE });
}

/** `POST /oauth/revoke`: RFC 7009. 200 whatever the token was (§2.2). */
export async function handleRevocationRequest(request: Request): Promise<Response> {
  const { params, client } = await authenticatedForm(request);
  const token = params.get("token");
  if (!token) throw new OAuthError("invalid_request", "The token parameter is required.");
  const hint = params.get("token_type_hint");
  if (hint !== undefined && hint !== "access_token" && hint !== "refresh_token") {
    throw new OAuthError("unsupported_token_type", "token_type_hint must be access_token.");
  }
  await revokeToken(client, token);
  return new Response(null, { status: 200, headers: NO_STORE });
}

/** RFC 8414 §2 authorization server metadata. */
export function authorizationServerMetadata(): Record<string, unknown> {
  const issuer = issuerUrl();
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    grant_types_supported: ["client_credentials"],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    scopes_supported: Object.keys(SCOPES),
    // RFC 9068 access tokens; RFC 8707 resource indicators.
    access_token_signing_alg_values_supported: ["EdDSA"],
    resource_indicators_supported: true,
    resources_supported: Object.values(resourceServers()),
    service_documentation: `${issuer}/`,
  };
}
