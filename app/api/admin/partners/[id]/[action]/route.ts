import { getAdminActor } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { approvePartnerAsAdmin, rejectPartnerAsAdmin, reinstatePartnerAsAdmin, suspendPartnerAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/**
 * Admin: `POST /api/admin/partners/{id}/approve | reject | suspend | reinstate`. Reject and suspend take
 * `{ "reason": "…" }`. A transition from the wrong state answers 409; an unknown partner 404.
 */
export const POST = route<{ params: Promise<{ id: string; action: string }> }>("json", async (request, { params }) => {
  const actor = await getAdminActor(request);
  const { id, action } = await params;
  switch (action) {
    case "approve":
      return Response.json(await approvePartnerAsAdmin(id, actor));
    case "reject":
      return Response.json(await rejectPartnerAsAdmin(id, (await readJson(request)) as { reason: string }, actor));
    case "suspend":
      return Response.json(await suspendPartnerAsAdmin(id, (await readJson(request)) as { reason: string }, actor));
    case "reinstate":
      return Response.json(await reinstatePartnerAsAdmin(id, actor));
    default:
      throw new NotFoundError();
  }
});
