import { actorOf } from "@/lib/auth/principal";
import { MEMBER_API } from "@/lib/auth/policies";
import { createApiKey, listApiKeys } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** The signed-in member's own API keys (no secrets). */
export const GET = route(MEMBER_API, async (_request, { principal }) =>
  Response.json({ api_keys: (await listApiKeys(principal.partnerId, principal.userId)).map((k) => apiKeyJson(k)) }),
);

/** Create `{ name, scopes?, expires_in_days? }`: 201 with `api_key`, shown this once. */
export const POST = route(MEMBER_API, async (request, { principal }) => {
  const { apiKey, key } = await createApiKey(principal.partnerId, principal.userId, await readJson(request), actorOf(principal));
  return Response.json(apiKeyJson(key, apiKey), { status: 201, headers: { "Cache-Control": "no-store" } });
});
