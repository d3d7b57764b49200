import { actorOf } from "@/lib/auth/principal";
import { KEY_SELF_SERVICE_API, MEMBER_API } from "@/lib/auth/policies";
import { createApiKey, listApiKeys } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * The keys of the caller's owner, without secrets, with `usage_count` and `last_used_at`: the signed-in member's own
 * keys, or, called with an API key, the keys of that key's owner (a person or an OAuth client), itself included.
 */
export const GET = route(KEY_SELF_SERVICE_API, async (_request, { principal }) => {
  const owner = principal.kind === "user" ? principal.userId : principal.owner;
  return Response.json({ api_keys: (await listApiKeys(principal.partnerId, owner)).map((k) => apiKeyJson(k)) });
});

/**
 * Create `{ name, scopes?, expires_in_days? }` (session only): 201 with `api_key`, shown this once. The key expires
 * after API_KEY_DEFAULT_TTL_DAYS (90) unless `expires_in_days` names 1..3650 days or `"never"`.
 */
export const POST = route(MEMBER_API, async (request, { principal }) => {
  const { apiKey, key } = await createApiKey(principal.partnerId, principal.userId, await readJson(request), actorOf(principal));
  return Response.json(apiKeyJson(key, apiKey), { status: 201, headers: { "Cache-Control": "no-store" } });
});
