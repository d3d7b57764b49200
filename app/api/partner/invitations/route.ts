import { z } from "zod";
import { PARTNER_ADMIN_API, PARTNER_READ_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { createInvitation, listInvitations, type InvitationView } from "@/lib/partners/invitations";

export const dynamic = "force-dynamic";

const invitationsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});

const invitationJson = (i: InvitationView) => ({ id: i.id, email: i.email, role: i.role, status: i.status, created_at: i.createdAt, expires_at: i.expiresAt });

/** The partner's open invitations, paginated (`?page=&page_size=`): any member, or an API key with `partner:read`. */
export const GET = route(PARTNER_READ_API, async (request, { principal }) => {
  const query = invitationsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { invitations, total } = await listInvitations(principal.partnerId, { page: query.page, pageSize: query.page_size });
  return Response.json({ invitations: invitations.map(invitationJson), page: query.page, page_size: query.page_size, total });
});

/** Invite `{ "email", "role"?: "admin" | "member" }` (owners and admins): 201; the email goes out through the outbox. */
export const POST = route(PARTNER_ADMIN_API, async (request, { principal }) => {
  const invitation = await createInvitation(principal.partnerId, await readJson(request), { type: "user", id: principal.userId, partnerRole: principal.partnerRole });
  return Response.json(invitationJson(invitation), { status: 201 });
});
