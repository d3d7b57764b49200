/**
 * The authorization server's endpoints as short pipelines of named steps (after node-oidc-provider's actions):
 * (the route's policy has authenticated the client) read the form → do the one thing → answer with `Cache-Control: no-store`.
 */
import { OAuthError } from "@/lib/http/errors";
import type { AuthenticatedClient } from "@/lib/oauth/clients";
import { introspectToken, issueAccessToken, revokeToken } from "@/lib/oauth/tokens";
import { issuerUrl, SCOPES, resourceServers } from "@/lib/oauth/scopes";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/**
 * `POST /oauth/token`: RFC 6749 §4.4 client credentials, for a client the route's policy has authenticated
 * (RFC 6749 §2.3) and rate limited.
 * @param params the request's form (RFC 6749 §3.2), as the policy read it
 * @throws OAuthError (RFC 6749 §5.2)
 */
export async function handleTokenRequest(params: Map<string, string>, client: AuthenticatedClient): Promise<Response> {
  const grantType = params.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "The grant_type parameter is required.");
  if (grantType !== "client_credentials") throw new OAuthError("unsupported_grant_type", "Only client_credentials is supported.");
  if (params.has("resource") && params.has("audience") && params.get("resource") !== params.get("audience")) {
    throw new OAuthError("invalid_request", "Send resource or audience, not two different values.");
  }
  const token = await issueAccessToken(client, { scope: params.get("scope"), resource: params.get("resource") ?? params.get("audience") });
  return Response.json(token, { headers: NO_STORE });
}

/** `POST /oauth/introspect`: RFC 7662, for authenticated clients of the same tenant. @throws OAuthError */
export async function handleIntrospectionRequest(params: Map<string, string>, client: AuthenticatedClient): Promise<Response> {
  const token = params.get("token");
  if (!token) throw new OAuthError("invalid_request", "The token parameter is required.");
  return Response.json(await introspectToken(client, token), { headers: NO_STORE });
}

/** `POST /oauth/revoke`: RFC 7009. 200 whatever the token was (§2.2). @throws OAuthError */
export async function handleRevocationRequest(params: Map<string, string>, client: AuthenticatedClient): Promise<Response> {
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
