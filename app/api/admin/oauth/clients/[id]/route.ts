import { getAdminActor } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { deleteOAuthClientAsAdmin } from "@/lib/oauth/clients";

export const dynamic = "force-dynamic";

/** Admin: delete a client; its tokens stop working on their next use. */
export const DELETE = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const actor = await getAdminActor(request);
  await deleteOAuthClientAsAdmin((await params).id, actor);
  return new Response(null, { status: 204 });
});
