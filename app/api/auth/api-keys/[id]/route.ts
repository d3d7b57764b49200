import { actorOf } from "@/lib/auth/principal";
import { MEMBER_API } from "@/lib/auth/policies";
import { revokeApiKey } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** Revoke one of your keys; it fails on its next request everywhere. Someone else's key is 404. */
export const DELETE = route(MEMBER_API, async (_request, { principal, params }) => Response.json(apiKeyJson(await revokeApiKey(principal.partnerId, principal.userId, params.id, actorOf(principal)))), {
  params: ["id"],
});
