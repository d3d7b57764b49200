import { actorOf, getPrincipal, requireApprovedPartnerUser } from "@/lib/auth/principal";
import { createApiKey, listApiKeys } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The signed-in member's own API keys (no secrets). */
export const GET = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["user"] });
  const { partnerId, userId } = requireApprovedPartnerUser(principal);
  return Response.json({ api_keys: (await listApiKeys(partnerId, userId)).map((k) => apiKeyJson(k)) });
});

/** Create `{ name, scopes?, expires_in_days? }`: 201 with `api_key`, shown this once. */
export const POST = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["user"] });
  const { partnerId, userId } = requireApprovedPartnerUser(principal);
  const { apiKey, key } = await createApiKey(partnerId, userId, await readJson(request), actorOf(principal));
  return Response.json(apiKeyJson(key, apiKey), { status: 201, headers: { "Cache-Control": "no-store" } });
});
