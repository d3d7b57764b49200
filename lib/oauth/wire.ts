/** JSON shape of an OAuth client in the admin API (RFC 7591-style names where they exist). */
import type { OAuthClientView } from "@/lib/oauth/clients";

export function oauthClientJson(client: OAuthClientView, clientSecret?: string) {
  return {
    id: client.id,
    client_id: client.clientId,
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    client_name: client.name,
    partner_id: client.partnerId,
    partner_name: client.partnerName,
    secret_prefix: client.secretPrefix,
    scope: client.allowedScopes.join(" "),
    default_scope: client.defaultScopes.join(" "),
    grant_types: client.grantTypes,
    access_token_ttl: client.accessTokenTtlSeconds,
    disabled: client.disabledAt !== null,
    disabled_at: client.disabledAt,
    secret_rotated_at: client.secretRotatedAt,
    created_at: client.createdAt,
  };
}
