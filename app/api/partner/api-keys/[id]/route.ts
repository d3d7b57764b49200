import { actorOf } from "@/lib/auth/principal";
import { PARTNER_KEYS_API } from "@/lib/auth/policies";
import { revokePartnerApiKey } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** Revoke any key of the caller's partner (owners and admins; audited). Another partner's key is 404. */
export const DELETE = route(PARTNER_KEYS_API, async (_request, { principal, params }) => Response.json(apiKeyJson(await revokePartnerApiKey(principal.partnerId, params.id, actorOf(principal)))), {
  params: ["id"],
});
