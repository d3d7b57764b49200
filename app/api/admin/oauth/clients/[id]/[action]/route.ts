import { getAdminActor } from "@/lib/auth/principal";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { disableOAuthClientAsAdmin, enableOAuthClientAsAdmin, rotateOAuthClientSecretAsAdmin } from "@/lib/oauth/clients";
import { oauthClientJson } from "@/lib/oauth/wire";

export const dynamic = "force-dynamic";

/** Admin: `POST /api/admin/oauth/clients/{id}/rotate-secret | disable | enable`. */
export const POST = route<{ params: Promise<{ id: string; action: string }> }>("json", async (request, { params }) => {
  const actor = await getAdminActor(request);
  const { id, action } = await params;
  switch (action) {
    case "rotate-secret": {
      const { client, clientSecret } = await rotateOAuthClientSecretAsAdmin(id, actor);
      return Response.json(oauthClientJson(client, clientSecret), { headers: { "Cache-Control": "no-store" } });
    }
    case "disable":
      return Response.json(oauthClientJson(await disableOAuthClientAsAdmin(id, actor)));
    case "enable":
      return Response.json(oauthClientJson(await enableOAuthClientAsAdmin(id, actor)));
    default:
      throw new NotFoundError();
  }
});
