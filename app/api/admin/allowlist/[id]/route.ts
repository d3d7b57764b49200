import { getPrincipal, requireAdminForApi } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { removeAllowlistEntryAsAdmin } from "@/lib/partners/allowlist";

export const dynamic = "force-dynamic";

export const DELETE = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ["user"] });
  requireAdminForApi(principal);
  await removeAllowlistEntryAsAdmin((await params).id, { type: "user", id: principal.userId });
  return new Response(null, { status: 204 });
});
