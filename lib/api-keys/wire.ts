import type { ApiKeyView, PartnerApiKeyView } from "@/lib/api-keys/api-keys";

/** JSON shape of an API key (never its secret, except `api_key` once at creation). */
export function apiKeyJson(key: ApiKeyView, apiKey?: string) {
  return {
    id: key.id,
    name: key.name,
    ...(apiKey ? { api_key: apiKey } : {}),
    key_prefix: key.keyPrefix,
    scopes: key.scopes,
    status: key.status,
    expires_at: key.expiresAt,
    last_used_at: key.lastUsedAt,
    usage_count: key.usageCount,
    revoked_at: key.revokedAt,
    created_at: key.createdAt,
  };
}

/** JSON shape of a key in the partner-wide list: the key plus its owner (a person's email, or an OAuth client's name). */
export function partnerApiKeyJson(key: PartnerApiKeyView) {
  const owner = key.owner.kind === "user" ? { kind: "user", id: key.owner.id, email: key.owner.label } : { kind: "oauth_client", id: key.owner.id, client_id: key.owner.clientId, name: key.owner.label };
  return { ...apiKeyJson(key), owner };
}
