import { actorOf, getPrincipal, tenantOf } from "@/lib/auth/principal";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { checkGroupMembership, removeGroupMember } from "@/lib/groups/groups";

export const dynamic = "force-dynamic";
const ACCEPT = ["user", "service", "api_key"] as const;
type Context = { params: Promise<{ id: string; userId: string }> };

/**
 * The membership check a service calls before acting for a user: 200 `{ member: true }` or 404. One query.
 * Scope `members:read`.
 */
export const GET = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["members:read"] });
  const { id, userId } = await params;
  const membership = await checkGroupMembership(tenantOf(principal), id, userId);
  if (!membership) throw new NotFoundError("Not a member of this group.");
  return Response.json({ member: true, group_id: id, user_id: userId, added_at: membership.addedAt });
});

/** Remove a member. Scope `members:write`. */
export const DELETE = route<Context>("bearer", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ACCEPT, scopes: ["members:write"] });
  const { id, userId } = await params;
  await removeGroupMember(tenantOf(principal), id, userId, actorOf(principal));
  return new Response(null, { status: 204 });
});
