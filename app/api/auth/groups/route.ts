import { actorOf, getPrincipal, tenantOf } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { createGroup, listGroups, pageQuerySchema } from "@/lib/groups/groups";
import { groupJson } from "@/lib/groups/wire";

export const dynamic = "force-dynamic";
const ACCEPT = ["user", "service", "api_key"] as const;

/** List the caller's groups. Scope `groups:read`. `?page=&page_size=` */
export const GET = route("bearer", async (request) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["groups:read"] });
  const query = pageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { groups, total } = await listGroups(tenantOf(principal), { page: query.page, pageSize: query.page_size });
  return Response.json({ groups: groups.map(groupJson), page: query.page, page_size: query.page_size, total });
});

/** Create a group `{ name, description? }`. Scope `groups:write`. 409 when the name is taken. */
export const POST = route("bearer", async (request) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["groups:write"] });
  const group = await createGroup(tenantOf(principal), await readJson(request), actorOf(principal));
  return Response.json(groupJson(group), { status: 201 });
});
