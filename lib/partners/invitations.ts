/**
 * Invitations to join a partner, by email. Owners and admins invite; the email goes through the outbox in the same
 * transaction. An invitation is accepted at sign-in, only when the provider vouches for that exact address (Google
 * `email_verified`, Entra `xms_edov`, GitHub's verified primary email): see acceptInvitationAtSignIn.
 */
import { z } from "zod";
import { auditRow } from "@/lib/audit/record-audit";
import { getConfig } from "@/lib/config";
import { db, type Prisma } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/http/errors";
import { enqueueEmail, kickEmailDelivery } from "@/lib/mail/outbox";
import type { PartnerRole } from "@/lib/partners/team";

/** Days an invitation stays acceptable. */
export const INVITATION_TTL_DAYS = 7;

export const invitationCreateSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "must be an email address" }).max(254)),
  role: z.enum(["admin", "member"], { error: "must be admin or member" }).default("member"),
});

export interface InvitationView {
  id: string;
  email: string;
  role: PartnerRole;
  status: "pending" | "expired";
  createdAt: Date;
  expiresAt: Date;
}

const viewSelect = { id: true, email: true, role: true, createdAt: true, expiresAt: true } as const;

function toView(row: { id: string; email: string; role: PartnerRole; createdAt: Date; expiresAt: Date }): InvitationView {
  return { ...row, status: row.expiresAt.getTime() <= Date.now() ? "expired" : "pending" };
}

/**
 * Invites `email` to the partner and queues the invitation email (one transaction with the audit entry).
 * @param input `{ email, role? }` (invitationCreateSchema; role admin or member, default member)
 * @param actor the inviting owner or admin (`partnerRole` from the policy's principal)
 * @throws ZodError (400); ForbiddenError (403) for a plain member; ConflictError (409) when the address is already a
 *         member or has a pending invitation
 */
export async function createInvitation(
  partnerId: string,
  input: unknown,
  actor: { type: "user"; id: string; partnerRole: PartnerRole },
): Promise<InvitationView> {
  const { email, role } = invitationCreateSchema.parse(input);
  if (actor.partnerRole === "member") throw new ForbiddenError("Only your organisation's owners and admins can invite.");
  const view = await db.$transaction(async (tx) => {
    const member = await tx.user.findFirst({ where: { email, partnerId }, select: { id: true } });
    if (member) throw new ConflictError("That person is already a member.");
    const pending = await tx.partnerInvitation.findFirst({ where: { partnerId, email, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, select: { id: true } });
    if (pending) throw new ConflictError("That address already has a pending invitation.");
    const partner = await tx.partner.findUniqueOrThrow({ where: { id: partnerId }, select: { name: true } });
    const row = await tx.partnerInvitation.create({
      data: { partnerId, email, role, invitedById: actor.id, expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000) },
      select: viewSelect,
    });
    await enqueueEmail(tx, {
      dedupeKey: `partner.invitation:${row.id}`,
      to: [email],
      subject: `You are invited to ${partner.name} on Gatehouse`,
      text: [
        `You have been invited to join ${partner.name} on Gatehouse as ${role === "admin" ? "an admin" : "a member"}.`,
        `Sign in as ${email} with Google, Microsoft or GitHub (the provider must have verified this address) within ${INVITATION_TTL_DAYS} days:`,
        `${getConfig().appUrl}/sign-in`,
      ].join("\n\n"),
    });
    await tx.auditEvent.create({ data: auditRow({ action: "partner.invitation_created", actor, partnerId, target: { type: "invitation", id: row.id }, metadata: { email, role } }) });
    return toView(row);
  });
  kickEmailDelivery();
  return view;
}

/**
 * The partner's open invitations (pending or expired, not accepted or revoked), newest first, page-numbered.
 * @param options.page 1-based; `pageSize` 1..100 (default 50)
 */
export async function listInvitations(partnerId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ invitations: InvitationView[]; total: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const where = { partnerId, acceptedAt: null, revokedAt: null };
  const [rows, total] = await db.$transaction([
    db.partnerInvitation.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize, select: viewSelect }),
    db.partnerInvitation.count({ where }),
  ]);
  return { invitations: rows.map(toView), total };
}

/**
 * Revokes an open invitation of the partner.
 * @throws NotFoundError (404) for another partner's, an accepted or an already revoked invitation
 */
export async function revokeInvitation(partnerId: string, invitationId: string, actor: { type: "user"; id: string }): Promise<InvitationView> {
  return db.$transaction(async (tx) => {
    const found = await tx.partnerInvitation.findFirst({ where: { id: invitationId, partnerId, acceptedAt: null, revokedAt: null }, select: { id: true } });
    if (!found) throw new NotFoundError("No such invitation.");
    const row = await tx.partnerInvitation.update({ where: { id: invitationId }, data: { revokedAt: new Date() }, select: viewSelect });
    await tx.auditEvent.create({ data: auditRow({ action: "partner.invitation_revoked", actor, partnerId, target: { type: "invitation", id: invitationId }, metadata: { email: row.email } }) });
    return toView(row);
  });
}

/**
 * Whether an open, unexpired invitation exists for a vouched-for email (the sign-in callback's check for GitHub
 * users and personal accounts, before any row is written).
 */
export async function hasPendingInvitation(email: string): Promise<boolean> {
  const found = await db.partnerInvitation.findFirst({ where: { email: email.toLowerCase(), acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, select: { id: true } });
  return found !== null;
}

/**
 * Inside the sign-in transaction: when the provider vouched for `email` and the user has no partner yet, accepts
 * the newest open invitation for it: the user joins that (approved or not) partner with the invited role.
 * @returns the partner joined, or null when there is no invitation to accept
 */
export async function acceptInvitationAtSignIn(
  tx: Prisma.TransactionClient,
  facts: { userId: string; email: string | null; emailVouched: boolean },
): Promise<{ partnerId: string; role: PartnerRole; invitationId: string } | null> {
  if (!facts.emailVouched || !facts.email) return null;
  const invitation = await tx.partnerInvitation.findFirst({
    where: { email: facts.email.toLowerCase(), acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, partnerId: true, role: true },
  });
  if (!invitation) return null;
  const claimed = await tx.partnerInvitation.updateMany({ where: { id: invitation.id, acceptedAt: null, revokedAt: null }, data: { acceptedAt: new Date(), acceptedById: facts.userId } });
  if (claimed.count !== 1) return null;
  await tx.user.update({ where: { id: facts.userId }, data: { partnerId: invitation.partnerId, partnerRole: invitation.role } });
  // A new invitation from the partner that removed them lifts that partner's bar; one from another partner does not.
  await tx.user.updateMany({ where: { id: facts.userId, removedFromPartnerId: invitation.partnerId }, data: { removedFromPartnerId: null } });
  return { partnerId: invitation.partnerId, role: invitation.role, invitationId: invitation.id };
}
