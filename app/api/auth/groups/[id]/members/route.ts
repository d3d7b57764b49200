import { actorOf } from "@/lib/auth/principal";
import { tenantBearerApi } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { addGroupMember, groupMemberAddSchema, listGroupMembers, pageQuerySchema } from "@/lib/groups/groups";
import { memberJson } from "@/lib/groups/wire";

export const dynamic = "force-dynamic";

/** The group's members. Scope `members:read`. */
export const GET = route(
  tenantBearerApi(["members:read"]),
  async (request, { principal, params }) => {
    const query = pageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const { members, total } = await listGroupMembers(principal.partnerId, params.id, { page: query.page, pageSize: query.page_size });
    return Response.json({ members: members.map(memberJson), page: query.page, page_size: query.page_size, total });
  },
  { params: ["id"] },
);

/** Add `{ user_id }` (a member of the same organisation). Scope `members:write`. 201 new, 200 already a member. */
export const POST = route(
  tenantBearerApi(["members:write"]),
  async (request, { principal, params }) => {
    const { user_id } = groupMemberAddSchema.parse(await readJson(request));
    const { added, member } = await addGroupMember(principal.partnerId, params.id, user_id, actorOf(principal));
    return Response.json(memberJson(member), { status: added ? 201 : 200 });
  },
  { params: ["id"] },
);
