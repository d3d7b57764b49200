"use server";

import type { ActionResult } from "@/components/confirm-action";
import { PARTNER_ADMIN_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";
import { createInvitation, revokeInvitation } from "@/lib/partners/invitations";
import { changeMemberRole, endMemberSessions, removeMember, transferOwnership, type PartnerRole } from "@/lib/partners/team";

/** Owners and admins of an approved partner, in their own tenant; re-renders /partner/members after success. */
const teamAction = (run: (context: { partnerId: string; actor: { type: "user"; id: string; partnerRole: PartnerRole } }) => Promise<Outcome>) =>
  runAction(PARTNER_ADMIN_ACTION, (member) => run({ partnerId: member.partnerId, actor: { type: "user", id: member.userId, partnerRole: member.partnerRole } }), ["/partner/members"]);

export async function inviteMemberAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return teamAction(async ({ partnerId, actor }) => `Invited ${(await createInvitation(partnerId, { email: field(form, "email"), role: field(form, "role") || undefined }, actor)).email}.`);
}

export async function revokeInvitationAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return teamAction(async ({ partnerId, actor }) => `Revoked the invitation to ${(await revokeInvitation(partnerId, field(form, "invitationId"), actor)).email}.`);
}

export async function removeMemberAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return teamAction(async ({ partnerId, actor }) => {
    const removed = await removeMember(partnerId, field(form, "userId"), actor);
    return `Removed. ${removed.sessionsEnded} session(s) ended, ${removed.apiKeysRevoked} API key(s) revoked.`;
  });
}

export async function changeRoleAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return teamAction(async ({ partnerId, actor }) => `Role changed to ${(await changeMemberRole(partnerId, field(form, "userId"), { role: field(form, "role") }, actor)).role}.`);
}

export async function transferOwnershipAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return teamAction(async ({ partnerId, actor }) => {
    await transferOwnership(partnerId, field(form, "userId"), actor);
    return "Ownership transferred. You are now an admin.";
  });
}

export async function endMemberSessionsAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return teamAction(async ({ partnerId, actor }) => `${(await endMemberSessions(partnerId, field(form, "userId"), actor)).sessionsEnded} session(s) ended.`);
}
