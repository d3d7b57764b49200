import type { ApiKeyView } from "@/lib/api-keys/api-keys";

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
