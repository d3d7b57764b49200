import { ADMIN_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { deleteOAuthClientAsAdmin } from "@/lib/oauth/clients";

export const dynamic = "force-dynamic";

/** Admin: delete a client; its tokens stop working on their next use. */
export const DELETE = route(
  ADMIN_API,
  async (_request, { principal, params }) => {
    await deleteOAuthClientAsAdmin(params.id, principal.admin);
    return new Response(null, { status: 204 });
  },
  { params: ["id"] },
);
