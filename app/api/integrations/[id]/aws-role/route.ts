import { actorOf } from "@/lib/auth/principal";
import { INTEGRATIONS_WRITE_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { connectAwsRole } from "@/lib/integrations/integrations";
import { integrationJson, requestMeta } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Connects an AWS integration to the customer's role `{ role_arn }`: AssumeRole with the ExternalId must succeed,
 * GetCallerIdentity must name the role's account, and AssumeRole without the ExternalId, or with another one, must
 * fail (each audited);
 * then the first sync is queued. 400 with the reason when a check fails. Scope `integrations:write`.
 */
export const POST = route(
  INTEGRATIONS_WRITE_API,
  async (request, context) =>
    Response.json(integrationJson(await connectAwsRole(context.principal.partnerId, context.params.id, await readJson(request), actorOf(context.principal), requestMeta(request, context)))),
  { params: ["id"] },
);
