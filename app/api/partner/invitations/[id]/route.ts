import { PARTNER_ADMIN_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { revokeInvitation } from "@/lib/partners/invitations";

export const dynamic = "force-dynamic";

/** Revokes an open invitation (owners and admins); another partner's invitation is 404. */
export const DELETE = route(
  PARTNER_ADMIN_API,
  async (_request, { principal, params }) => {
    const revoked = await revokeInvitation(principal.partnerId, params.id, { type: "user", id: principal.userId });
    return Response.json({ revoked: revoked.id });
  },
  { params: ["id"] },
);
