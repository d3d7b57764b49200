import { getAdminActor } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { removeAllowlistEntryAsAdmin } from "@/lib/partners/allowlist";

export const dynamic = "force-dynamic";

export const DELETE = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const actor = await getAdminActor(request);
  await removeAllowlistEntryAsAdmin((await params).id, actor);
  return new Response(null, { status: 204 });
});
