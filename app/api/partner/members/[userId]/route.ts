import { PARTNER_ADMIN_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { changeMemberRole, removeMember } from "@/lib/partners/team";

export const dynamic = "force-dynamic";

/**
 * Removes a member (owners and admins): their sessions end and their API keys are revoked at once. 404 for a user
 * of another partner; 409 for the last owner.
 */
export const DELETE = route(
  PARTNER_ADMIN_API,
  async (_request, { principal, params }) => {
    const removed = await removeMember(principal.partnerId, params.userId, { type: "user", id: principal.userId, partnerRole: principal.partnerRole });
    return Response.json({ removed: removed.userId, sessions_ended: removed.sessionsEnded, api_keys_revoked: removed.apiKeysRevoked });
  },
  { params: ["userId"] },
);

/** Changes a member's role: `{ "role": "owner" | "admin" | "member" }`. Only owners touch owners; 409 for the last owner. */
export const PATCH = route(
  PARTNER_ADMIN_API,
  async (request, { principal, params }) => {
    const changed = await changeMemberRole(principal.partnerId, params.userId, await readJson(request), { type: "user", id: principal.userId, partnerRole: principal.partnerRole });
    return Response.json({ id: changed.userId, role: changed.role });
  },
  { params: ["userId"] },
);
