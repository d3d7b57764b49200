import { INTEGRATIONS_READ_API } from "@/lib/auth/policies";
import { pageQuerySchema } from "@/lib/groups/groups";
import { listSyncJobs } from "@/lib/integrations/sync";
import { syncJobJson } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** The integration's sync jobs, newest first. Scope `integrations:read`. `?page=&page_size=` */
export const GET = route(
  INTEGRATIONS_READ_API,
  async (request, { principal, params }) => {
    const query = pageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const { jobs, total } = await listSyncJobs(principal.partnerId, params.id, { page: query.page, pageSize: query.page_size });
    return Response.json({ jobs: jobs.map(syncJobJson), page: query.page, page_size: query.page_size, total });
  },
  { params: ["id"] },
);
