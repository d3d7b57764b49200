import { actorOf } from "@/lib/auth/principal";
import { tenantBearerApi } from "@/lib/auth/policies";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/next/route";
import { checkGroupMembership, removeGroupMember } from "@/lib/groups/groups";

export const dynamic = "force-dynamic";

/**
 * The membership check a service calls before acting for a user: 200 `{ member: true }` or 404. One query.
 * Scope `members:read`.
 */
export const GET = route(
  tenantBearerApi(["members:read"]),
  async (_request, { principal, params: { id, userId } }) => {
    const membership = await checkGroupMembership(principal.partnerId, id, userId);
    if (!membership) throw new NotFoundError("Not a member of this group.");
    return Response.json({ member: true, group_id: id, user_id: userId, added_at: membership.addedAt });
  },
  { params: ["id", "userId"] },
);

/** Remove a member. Scope `members:write`. */
export const DELETE = route(
  tenantBearerApi(["members:write"]),
  async (_request, { principal, params: { id, userId } }) => {
    await removeGroupMember(principal.partnerId, id, userId, actorOf(principal));
    return new Response(null, { status: 204 });
  },
  { params: ["id", "userId"] },
);
