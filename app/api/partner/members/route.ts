import { z } from "zod";
import { PARTNER_READ_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { listPartnerMembers } from "@/lib/partners/partner";

export const dynamic = "force-dynamic";


const membersQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});

/** The caller's partner's members, paginated (`?page=&page_size=`). Only the caller's tenant. */
export const GET = route(PARTNER_READ_API, async (request, { principal }) => {
  const query = membersQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { members, total } = await listPartnerMembers(principal.partnerId, { page: query.page, pageSize: query.page_size });
  return Response.json({
    members: members.map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.partnerRole, last_sign_in_at: m.lastSignInAt })),
    page: query.page,
    page_size: query.page_size,
    total,
  });
});
