import { getPrincipal, tenantOf } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { getPartner } from "@/lib/partners/partner";

export const dynamic = "force-dynamic";

/** The caller and their partner organisation. Session cookie or X-API-Key (one getPrincipal). */
export const GET = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["user", "api_key"], scopes: ["partner:read"] });
  const partnerId = tenantOf(principal); // an approved member's partner, or the API key's tenant
  const partner = await getPartner(partnerId);
  return Response.json({
    principal: principal.kind === "user" ? { kind: "user", id: principal.userId, email: principal.email, name: principal.name } : { kind: principal.kind },
    partner: { id: partner.id, name: partner.name, status: partner.status, domain: partner.primaryDomain, approvedAt: partner.approvedAt },
  });
});
