import { actorOf } from "@/lib/auth/principal";
import { INTEGRATIONS_READ_API } from "@/lib/auth/policies";
import { exportEvidence } from "@/lib/integrations/evidence";
import { requestMeta } from "@/lib/integrations/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * A signed evidence bundle: the integration's resources and the sync that produced them, as a compact JWS (EdDSA,
 * `typ: gatehouse-evidence+jws`) verifiable against `/.well-known/jwks.json`. 409 before the first finished sync.
 * Scope `integrations:read`; each export is audited.
 */
export const GET = route(
  INTEGRATIONS_READ_API,
  async (request, context) => {
    const { jws, filename } = await exportEvidence(context.principal.partnerId, context.params.id, actorOf(context.principal), requestMeta(request, context));
    return new Response(jws, { headers: { "Content-Type": "application/jose", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" } });
  },
  { params: ["id"] },
);
