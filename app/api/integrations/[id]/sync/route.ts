import { actorOf } from "@/lib/auth/principal";
import { INTEGRATIONS_WRITE_API } from "@/lib/auth/policies";
import { requestSync } from "@/lib/integrations/sync";
import { requestMeta, syncJobJson } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Queues a sync: 202 with the job (poll `sync-jobs/{job_id}`); 409 when one is already queued or running, or the
 * integration is not connected. Scope `integrations:write`.
 */
export const POST = route(
  INTEGRATIONS_WRITE_API,
  async (request, context) => {
    const job = await requestSync(context.principal.partnerId, context.params.id, actorOf(context.principal), requestMeta(request, context));
    return Response.json(syncJobJson(job), { status: 202, headers: { Location: `/api/integrations/${context.params.id}/sync-jobs/${job.id}` } });
  },
  { params: ["id"] },
);
