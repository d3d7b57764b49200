import { definePolicy } from "@/lib/auth/policy";
import { route } from "@/lib/next/route";
import { getPartner } from "@/lib/partners/partner";

export const dynamic = "force-dynamic";

/** A member's session or an API key with `partner:read`, in the caller's own tenant. */
const PARTNER_API = definePolicy({ accept: ["user", "api_key"], partner: "approved", scopes: ["partner:read"], errors: "json" });

/** The caller and their partner organisation. */
export const GET = route(PARTNER_API, async (_request, { principal }) => {
  const partner = await getPartner(principal.partnerId);
  return Response.json({
    principal: principal.kind === "user" ? { kind: "user", id: principal.userId, email: principal.email, name: principal.name } : { kind: principal.kind },
    partner: { id: partner.id, name: partner.name, status: partner.status, domain: partner.primaryDomain, approvedAt: partner.approvedAt },
  });
});
