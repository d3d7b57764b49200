import { ADMIN_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/next/route";
import { approvePartnerAsAdmin, rejectPartnerAsAdmin, reinstatePartnerAsAdmin, suspendPartnerAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/**
 * Admin: `POST /api/admin/partners/{id}/approve | reject | suspend | reinstate`. Reject and suspend take
 * `{ "reason": "…" }`. A transition from the wrong state answers 409; an unknown partner 404.
 */
export const POST = route(
  ADMIN_API,
  async (request, { principal: { admin }, params: { id, action } }) => {
    switch (action) {
      case "approve":
        return Response.json(await approvePartnerAsAdmin(id, admin));
      case "reject":
        return Response.json(await rejectPartnerAsAdmin(id, (await readJson(request)) as { reason: string }, admin));
      case "suspend":
        return Response.json(await suspendPartnerAsAdmin(id, (await readJson(request)) as { reason: string }, admin));
      case "reinstate":
        return Response.json(await reinstatePartnerAsAdmin(id, admin));
      default:
        throw new NotFoundError();
    }
  },
  { params: ["id", "action"] },
);
