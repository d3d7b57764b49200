import { actorOf, getPrincipal, tenantOf } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { deleteGroup, getGroup, updateGroup } from "@/lib/groups/groups";
import { groupJson } from "@/lib/groups/wire";

export const dynamic = "force-dynamic";
const ACCEPT = ["user", "service", "api_key"] as const;
type Context = { params: Promise<{ id: string }> };

/** One group. Scope `groups:read`. Another tenant's group is 404. */
export const GET = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["groups:read"] });
  return Response.json(groupJson(await getGroup(tenantOf(principal), (await params).id)));
});

/** Rename / re-describe `{ name?, description? }`. Scope `groups:write`. */
export const PATCH = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["groups:write"] });
  return Response.json(groupJson(await updateGroup(tenantOf(principal), (await params).id, await readJson(request), actorOf(principal))));
});

/** Delete the group and its memberships. Scope `groups:write`. */
export const DELETE = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["groups:write"] });
  await deleteGroup(tenantOf(principal), (await params).id, actorOf(principal));
  return new Response(null, { status: 204 });
});
