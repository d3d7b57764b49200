import { actorOf } from "@/lib/auth/principal";
import { KEY_SELF_SERVICE_API } from "@/lib/auth/policies";
import { revokeApiKey } from "@/lib/api-keys/api-keys";
import { apiKeyJson } from "@/lib/api-keys/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Revoke one of the caller's owner's keys (the presenting key itself included); it fails on its next request
 * everywhere. Another owner's or tenant's key is 404.
 */
export const DELETE = route(
  KEY_SELF_SERVICE_API,
  async (_request, { principal, params }) => {
    const owner = principal.kind === "user" ? principal.userId : principal.owner;
    return Response.json(apiKeyJson(await revokeApiKey(principal.partnerId, owner, params.id, actorOf(principal))));
  },
  { params: ["id"] },
);
