import { actorOf, getPrincipal, tenantOf } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { addGroupMember, groupMemberAddSchema, listGroupMembers, pageQuerySchema } from "@/lib/groups/groups";
import { memberJson } from "@/lib/groups/wire";

export const dynamic = "force-dynamic";
const ACCEPT = ["user", "service", "api_key"] as const;
type Context = { params: Promise<{ id: string }> };

/** The group's members. Scope `members:read`. */
export const GET = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["members:read"] });
  const query = pageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { members, total } = await listGroupMembers(tenantOf(principal), (await params).id, { page: query.page, pageSize: query.page_size });
  return Response.json({ members: members.map(memberJson), page: query.page, page_size: query.page_size, total });
});

/** Add `{ user_id }` (a member of the same organisation). Scope `members:write`. 201 new, 200 already a member. */
export const POST = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["members:write"] });
  const { user_id } = groupMemberAddSchema.parse(await readJson(request));
  const { added, member } = await addGroupMember(tenantOf(principal), (await params).id, user_id, actorOf(principal));
  return Response.json(memberJson(member), { status: added ? 201 : 200 });
});
