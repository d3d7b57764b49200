import { actorOf } from "@/lib/auth/principal";
import { tenantBearerApi } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { deleteGroup, getGroup, updateGroup } from "@/lib/groups/groups";
import { groupJson } from "@/lib/groups/wire";

export const dynamic = "force-dynamic";

/** One group. Scope `groups:read`. Another tenant's group is 404. */
export const GET = route(tenantBearerApi(["groups:read"]), async (_request, { principal, params }) => Response.json(groupJson(await getGroup(principal.partnerId, params.id))), {
  params: ["id"],
});

/** Rename / re-describe `{ name?, description? }`. Scope `groups:write`. */
export const PATCH = route(
  tenantBearerApi(["groups:write"]),
  async (request, { principal, params }) => Response.json(groupJson(await updateGroup(principal.partnerId, params.id, await readJson(request), actorOf(principal)))),
  { params: ["id"] },
);

/** Delete the group and its memberships. Scope `groups:write`. */
export const DELETE = route(
  tenantBearerApi(["groups:write"]),
  async (_request, { principal, params }) => {
    await deleteGroup(principal.partnerId, params.id, actorOf(principal));
    return new Response(null, { status: 204 });
  },
  { params: ["id"] },
);
