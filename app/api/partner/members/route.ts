import { z } from "zod";
import { definePolicy } from "@/lib/auth/policy";
import { route } from "@/lib/next/route";
import { listPartnerMembers } from "@/lib/partners/partner";

export const dynamic = "force-dynamic";

/** A member's session or an API key with `partner:read`, in the caller's own tenant. */
const PARTNER_API = definePolicy({ accept: ["user", "api_key"], partner: "approved", scopes: ["partner:read"], errors: "json" });

const membersQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});

/** The caller's partner's members, paginated (`?page=&page_size=`). Only the caller's tenant. */
export const GET = route(PARTNER_API, async (request, { principal }) => {
  const query = membersQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { members, total } = await listPartnerMembers(principal.partnerId, { page: query.page, pageSize: query.page_size });
  return Response.json({
    members: members.map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.partnerRole, last_sign_in_at: m.lastSignInAt })),
    page: query.page,
    page_size: query.page_size,
    total,
  });
});
