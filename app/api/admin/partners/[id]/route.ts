import { getAdminActor } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { getPartnerAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/** Admin: one partner. */
export const GET = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const admin = await getAdminActor(request);
  return Response.json(await getPartnerAsAdmin(admin, (await params).id));
});
