import { actorOf, getPrincipal, requireApprovedPartnerUser } from "@/lib/auth/principal";
import { revokeApiKey } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Revoke one of your keys; it fails on its next request everywhere. Someone else's key is 404. */
export const DELETE = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ["user"] });
  const { partnerId, userId } = requireApprovedPartnerUser(principal);
  return Response.json(apiKeyJson(await revokeApiKey(partnerId, userId, (await params).id, actorOf(principal))));
});
