import { ADMIN_API } from "@/lib/auth/policies";
import { setUserAdminAsAdmin } from "@/lib/auth/users";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Admin: `POST /api/admin/users/{id}/promote | demote`. Audited. Demoting the last admin, or a change to the role
 * the user already has, answers 409; an unknown user 404. Anyone else: 404.
 */
export const POST = route(
  ADMIN_API,
  async (_request, { principal: { admin }, params: { id, action } }) => {
    if (action !== "promote" && action !== "demote") throw new NotFoundError();
    return Response.json(await setUserAdminAsAdmin(id, action, admin));
  },
  { params: ["id", "action"] },
);
