import { actorOf } from "@/lib/auth/principal";
import { tenantBearerApi } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { createGroup, listGroups, pageQuerySchema } from "@/lib/groups/groups";
import { groupJson } from "@/lib/groups/wire";

export const dynamic = "force-dynamic";

/** List the caller's groups. Scope `groups:read`. `?page=&page_size=` */
export const GET = route(tenantBearerApi(["groups:read"]), async (request, { principal }) => {
  const query = pageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { groups, total } = await listGroups(principal.partnerId, { page: query.page, pageSize: query.page_size });
  return Response.json({ groups: groups.map(groupJson), page: query.page, page_size: query.page_size, total });
});

/** Create a group `{ name, description? }`. Scope `groups:write`. 409 when the name is taken. */
export const POST = route(tenantBearerApi(["groups:write"]), async (request, { principal }) => {
  const group = await createGroup(principal.partnerId, await readJson(request), actorOf(principal));
  return Response.json(groupJson(group), { status: 201 });
});
