import { z } from "zod";
import { getPrincipal, tenantOf } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { listPartnerMembers } from "@/lib/partners/partner";

export const dynamic = "force-dynamic";

const membersQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});

/** The caller's partner's members, paginated (`?page=&page_size=`). Only the caller's tenant. */
export const GET = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["user", "api_key"], scopes: ["partner:read"] });
  const partnerId = tenantOf(principal); // an approved member's partner, or the API key's tenant
  const query = membersQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { members, total } = await listPartnerMembers(partnerId, { page: query.page, pageSize: query.page_size });
  return Response.json({
    members: members.map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.partnerRole, last_sign_in_at: m.lastSignInAt })),
    page: query.page,
    page_size: query.page_size,
    total,
  });
});
