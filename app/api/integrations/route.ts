import { actorOf } from "@/lib/auth/principal";
import { INTEGRATIONS_READ_API, INTEGRATIONS_WRITE_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { pageQuerySchema } from "@/lib/groups/groups";
import { createIntegration, listIntegrations } from "@/lib/integrations/integrations";
import { integrationJson, requestMeta } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** The partner's integrations with status, last sync and risk counts. Scope `integrations:read`. `?page=&page_size=` */
export const GET = route(INTEGRATIONS_READ_API, async (request, { principal }) => {
  const query = pageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { integrations, total } = await listIntegrations(principal.partnerId, { page: query.page, pageSize: query.page_size });
  return Response.json({ integrations: integrations.map(integrationJson), page: query.page, page_size: query.page_size, total });
});

/**
 * Creates an integration `{ provider: "aws" | "google" | "okta" | "entra", name, directory? }` (directory: the Google
 * domain, the Okta org URL, the Entra tenant id). AWS answers the generated `external_id`. Scope `integrations:write`.
 */
export const POST = route(INTEGRATIONS_WRITE_API, async (request, context) => {
  const integration = await createIntegration(context.principal.partnerId, await readJson(request), actorOf(context.principal), requestMeta(request, context));
  return Response.json(integrationJson(integration), { status: 201 });
});
