import { ADMIN_API } from "@/lib/auth/policies";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/next/route";
import { disableOAuthClientAsAdmin, enableOAuthClientAsAdmin, rotateOAuthClientSecretAsAdmin } from "@/lib/oauth/clients";
import { oauthClientJson } from "@/lib/oauth/wire";

export const dynamic = "force-dynamic";

/** Admin: `POST /api/admin/oauth/clients/{id}/rotate-secret | disable | enable`. */
export const POST = route(
  ADMIN_API,
  async (_request, { principal: { admin }, params: { id, action } }) => {
    switch (action) {
      case "rotate-secret": {
        const { client, clientSecret } = await rotateOAuthClientSecretAsAdmin(id, admin);
        return Response.json(oauthClientJson(client, clientSecret), { headers: { "Cache-Control": "no-store" } });
      }
      case "disable":
        return Response.json(oauthClientJson(await disableOAuthClientAsAdmin(id, admin)));
      case "enable":
        return Response.json(oauthClientJson(await enableOAuthClientAsAdmin(id, admin)));
      default:
        throw new NotFoundError();
    }
  },
  { params: ["id", "action"] },
);
