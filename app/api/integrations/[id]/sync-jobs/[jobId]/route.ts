import { INTEGRATIONS_READ_API } from "@/lib/auth/policies";
import { getSyncJob } from "@/lib/integrations/sync";
import { syncJobJson } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** One sync job with its live progress (the page's sync banner polls it). Scope `integrations:read`. */
export const GET = route(
  INTEGRATIONS_READ_API,
  async (_request, { principal, params }) => Response.json(syncJobJson(await getSyncJob(principal.partnerId, params.id, params.jobId)), { headers: { "Cache-Control": "no-store" } }),
  { params: ["id", "jobId"] },
);
