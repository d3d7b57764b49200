/**
 * The authorization server's endpoints as short pipelines of named steps (after node-oidc-provider's actions):
 * (the route's policy has authenticated the client) read the form → do the one thing → answer with `Cache-Control: no-store`.
 */
import { OAuthError } from "@/lib/http/errors";
import type { AppClientPrincipal, OAuthClientPrincipal } from "@/lib/auth/principal";
import type { AuthenticatedClient } from "@/lib/oauth/clients";
import { exchangeAuthorizationCode, refreshTokens, revokeAppToken } from "@/lib/oauth/authorization";
import { introspectToken, issueAccessToken, revokeToken } from "@/lib/oauth/tokens";
import { issuerUrl, SCOPES, resourceServers } from "@/lib/oauth/scopes";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** Grant types the token endpoint serves (RFC 8414 `grant_types_supported`). */
export const GRANT_TYPES_SUPPORTED = ["authorization_code", "refresh_token", "client_credentials"] as const;

/**
 * `POST /oauth/token` for a client the route's policy has authenticated (RFC 6749 §2.3) and rate limited: service
 * clients use `client_credentials` (RFC 6749 §4.4); app clients `authorization_code` (§4.1.3, with PKCE) and
 * `refresh_token` (§6). A grant the client's kind may not use is `unauthorized_client`.
 * @param params the request's form (RFC 6749 §3.2), as the policy read it
 * @throws OAuthError (RFC 6749 §5.2)
 */
export async function handleTokenRequest(params: Map<string, string>, principal: OAuthClientPrincipal | AppClientPrincipal, context: { ip: string | null; requestId?: string }): Promise<Response> {
  const grantType = params.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "The grant_type parameter is required.");
  if (!(GRANT_TYPES_SUPPORTED as readonly string[]).includes(grantType)) throw new OAuthError("unsupported_grant_type", `Supported grant types: ${GRANT_TYPES_SUPPORTED.join(", ")}.`);
  if (principal.kind === "app_client") {
    if (grantType === "authorization_code") return exchangeAuthorizationCode(principal.client, params, context);
    if (grantType === "refresh_token") return refreshTokens(principal.client, params, context);
    throw new OAuthError("unauthorized_client", "Applications that act for people use authorization_code and refresh_token.");
  }
  if (grantType !== "client_credentials") throw new OAuthError("unauthorized_client", "Service clients use the client_credentials grant.");
  return clientCredentials(params, principal.client);
}

/** RFC 6749 §4.4 client credentials. */
async function clientCredentials(params: Map<string, string>, client: AuthenticatedClient): Promise<Response> {
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

/**
 * `POST /oauth/revoke`: RFC 7009. 200 whatever the token was (§2.2). Service clients revoke their access tokens;
 * app clients their refresh or access tokens (either revokes the token family). @throws OAuthError
 */
export async function handleRevocationRequest(params: Map<string, string>, principal: OAuthClientPrincipal | AppClientPrincipal, context: { ip: string | null; requestId?: string }): Promise<Response> {
  const token = params.get("token");
  if (!token) throw new OAuthError("invalid_request", "The token parameter is required.");
  const hint = params.get("token_type_hint");
  if (hint !== undefined && hint !== "access_token" && hint !== "refresh_token") {
    throw new OAuthError("unsupported_token_type", "token_type_hint must be access_token.");
  }
  if (principal.kind === "app_client") await revokeAppToken(principal.client, token, context);
  else await revokeToken(principal.client, token);
  return new Response(null, { status: 200, headers: NO_STORE });
}

/** RFC 8414 §2 authorization server metadata. */
export function authorizationServerMetadata(): Record<string, unknown> {
  const issuer = issuerUrl();
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    registration_endpoint: `${issuer}/oauth/register`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    grant_types_supported: [...GRANT_TYPES_SUPPORTED],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    // RFC 7636: S256 only; `plain` is refused.
    code_challenge_methods_supported: ["S256"],
    // RFC 9207: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    // MCP 2025-11-25: a client_id may be the https URL of its Client ID Metadata Document.
    client_id_metadata_document_supported: true,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    scopes_supported: Object.keys(SCOPES),
    // RFC 9068 access tokens; RFC 8707 resource indicators.
    access_token_signing_alg_values_supported: ["EdDSA"],
    resource_indicators_supported: true,
    resources_supported: Object.values(resourceServers()),
    service_documentation: `${issuer}/`,
  };
}
