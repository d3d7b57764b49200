/**
 * The partner lifecycle's emails. Each is enqueued in the transaction of the change it announces
 * (lib/mail/outbox.ts), with a dedupe key so a retried or double-clicked action sends one email.
 */
import type { Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { enqueueEmail } from "@/lib/mail/outbox";

interface PartnerFacts {
  id: string;
  name: string;
  primaryDomain: string | null;
}

/** Everyone who should hear about signups: users with role admin, plus ADMIN_EMAILS. */
async function adminRecipients(tx: Prisma.TransactionClient): Promise<string[]> {
  const admins = await tx.user.findMany({ where: { role: "admin", email: { not: null } }, select: { email: true } });
  return [...admins.map((a) => a.email!), ...getConfig().adminEmails];
}

/** Tells the admins about a new partner signup (pending, or auto-approved by the allowlist). */
export async function notifyAdminsOfSignup(
  tx: Prisma.TransactionClient,
  partner: PartnerFacts,
  owner: { email: string | null; name: string | null },
  autoApproved: boolean,
): Promise<void> {
  const url = `${getConfig().appUrl}/admin/partners?tab=${autoApproved ? "approved" : "pending"}`;
  await enqueueEmail(tx, {
    dedupeKey: `partner.signup:${partner.id}`,
    to: await adminRecipients(tx),
    subject: autoApproved ? `New partner auto-approved: ${partner.name}` : `New partner awaiting approval: ${partner.name}`,
    text: [
      `${owner.name ?? owner.email ?? "Someone"} <${owner.email ?? "no email"}> signed up for ${partner.name}${partner.primaryDomain ? ` (${partner.primaryDomain})` : ""}.`,
      autoApproved ? "The domain is on the allowlist, so the partner was approved automatically." : "Review the signup and approve or reject it:",
      url,
    ].join("\n\n"),
  });
}

/** Tells the partner's owner that their organisation was approved or rejected. */
export async function notifyOwnerOfDecision(
  tx: Prisma.TransactionClient,
  partner: PartnerFacts,
  ownerEmail: string | null,
  decision: { approved: true } | { approved: false; reason: string },
): Promise<void> {
  if (!ownerEmail) return;
  const appUrl = getConfig().appUrl;
  await enqueueEmail(tx, {
    dedupeKey: `partner.${decision.approved ? "approved" : "rejected"}:${partner.id}`,
    to: [ownerEmail],
    subject: decision.approved ? `${partner.name} is approved on Gatehouse` : `${partner.name} was not approved on Gatehouse`,
    text: decision.approved
      ? `Good news: ${partner.name} has been approved. Sign in to open your partner dashboard:\n\n${appUrl}/partner/dashboard`
      : `Your signup for ${partner.name} was not approved.\n\nReason: ${decision.reason}\n\nReply to your Gatehouse contact if you think this is a mistake.`,
  });
}
