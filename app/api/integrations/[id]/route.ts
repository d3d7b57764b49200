import { actorOf } from "@/lib/auth/principal";
import { INTEGRATIONS_READ_API, INTEGRATIONS_WRITE_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { disconnectIntegration, getIntegration, updateIntegration } from "@/lib/integrations/integrations";
import { integrationJson, requestMeta } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** One integration. Scope `integrations:read`. Another partner's is 404. */
export const GET = route(INTEGRATIONS_READ_API, async (_request, { principal, params }) => Response.json(integrationJson(await getIntegration(principal.partnerId, params.id))), {
  params: ["id"],
});

/** Rename or reschedule `{ name?, sync_interval_minutes? }` (60..10080, or null: on request only). Scope `integrations:write`. */
export const PATCH = route(
  INTEGRATIONS_WRITE_API,
  async (request, context) =>
    Response.json(integrationJson(await updateIntegration(context.principal.partnerId, context.params.id, await readJson(request), actorOf(context.principal), requestMeta(request, context)))),
  { params: ["id"] },
);

/** Disconnect and purge: credentials, resources and jobs are deleted; the audit trail stays. Scope `integrations:write`. */
export const DELETE = route(
  INTEGRATIONS_WRITE_API,
  async (request, context) => {
    const { purgedResources } = await disconnectIntegration(context.principal.partnerId, context.params.id, actorOf(context.principal), requestMeta(request, context));
    return Response.json({ disconnected: true, purged_resources: purgedResources });
  },
  { params: ["id"] },
);
