import { INTEGRATIONS_READ_API } from "@/lib/auth/policies";
import { listResources } from "@/lib/integrations/integrations";
import { resourceJson } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * What the last syncs found, riskiest first. Filters `?type=user|group|role|policy&risk=critical|high|medium|low&q=`
 * (name or email contains), pages `?page=&page_size=` (≤ 200). Scope `integrations:read`.
 */
export const GET = route(
  INTEGRATIONS_READ_API,
  async (request, { principal, params }) => {
    const { resources, total, page, pageSize } = await listResources(principal.partnerId, params.id, Object.fromEntries(new URL(request.url).searchParams));
    return Response.json({ resources: resources.map(resourceJson), page, page_size: pageSize, total });
  },
  { params: ["id"] },
);
