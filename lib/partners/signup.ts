/**
 * What happens after an identity provider vouches for someone: the user joins their organisation's partner, or a
 * new partner is created for it (pending approval, or approved at once when the allowlist says so).
 */
import { db, type Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { auditRow } from "@/lib/audit/record-audit";
import { kickEmailDelivery } from "@/lib/mail/outbox";
import { isAllowlisted } from "@/lib/partners/allowlist";
import { acceptInvitationAtSignIn } from "@/lib/partners/invitations";
import { notifyAdminsOfSignup } from "@/lib/partners/notifications";
import type { SignInOrganization } from "@/lib/partners/organization";

export interface SignInFacts {
  userId: string;
  provider: string;
  providerAccountId: string;
  organization: SignInOrganization;
  isNewUser: boolean;
  /**
   * Whether the IdP vouches for the email (isEmailVouchedFor: Google `email_verified`, Entra `xms_edov`). Needed for
   * the ADMIN_EMAILS grant, the allowlist's email-domain match, claiming a partner an operator pre-created for the
   * domain, and for the domain to become a new partner's `primaryDomain` (unvouched, it is only a label).
   */
  emailVouched: boolean;
  context: { ip: string | null; userAgent: string | null; requestId: string | null };
}

export type MembershipOutcome =
  | { kind: "admin" }
  | { kind: "existing_member"; partnerId: string }
  | { kind: "joined"; partnerId: string }
  | { kind: "created"; partnerId: string; autoApproved: boolean }
  | { kind: "no_partner" };

/**
 * Records a successful sign-in and provisions the partner membership, in one transaction: the account's IdP
 * organisation, the admin role for ADMIN_EMAILS, the partner (created or joined), the audit entries and the
 * admins' notification all commit together or not at all.
 *
 * Two colleagues signing in at once for a new organisation create one partner: the loser of the unique
 * (provider, organisation) race retries and joins.
 */
export async function completeSignIn(facts: SignInFacts): Promise<MembershipOutcome> {
  try {
    return await db.$transaction((tx) => provision(tx, facts));
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error;
    return db.$transaction((tx) => provision(tx, facts));
  }
}

async function provision(tx: Prisma.TransactionClient, facts: SignInFacts): Promise<MembershipOutcome> {
  const { userId, organization, context } = facts;
  const orgKey =
    organization.kind === "organization"
      ? { provider: organization.provider, organization: organization.organization, domain: organization.domain, name: organization.suggestedName }
      : { provider: facts.provider, organization: `personal:${facts.providerAccountId}`, domain: organization.domain, name: null };

  await tx.account.updateMany({
    where: { provider: facts.provider, providerAccountId: facts.providerAccountId },
    data: { idpOrganization: organization.kind === "organization" ? organization.organization : null },
  });
  const current = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true, role: true, partnerId: true, removedFromPartnerId: true } });
  const email = current.email?.toLowerCase() ?? null;
  // Users of an unvouched email are stored without one (entraUser); checked again here so that no path can make
  // an admin out of an address nobody verified.
  const grantAdmin = facts.emailVouched && current.role !== "admin" && email !== null && getConfig().adminEmails.includes(email);
  await tx.user.update({ where: { id: userId }, data: { lastSignInAt: new Date(), ...(grantAdmin ? { role: "admin" } : {}) } });

  const audit = (action: string, partnerId: string | null, metadata: Prisma.InputJsonObject, target?: { type: string; id: string }) =>
    tx.auditEvent.create({ data: auditRow({ action, actor: { type: "user", id: userId }, partnerId, target, ...context, metadata }) });
  const signInMetadata = { provider: facts.provider, idpOrganization: orgKey.organization, isNewUser: facts.isNewUser, email, ...(grantAdmin ? { grantedAdmin: true } : {}) };

  let outcome: MembershipOutcome;
  let invited: Awaited<ReturnType<typeof acceptInvitationAtSignIn>> = null;
  if (current.role === "admin" || grantAdmin) {
    outcome = { kind: "admin" };
  } else if (current.partnerId) {
    outcome = { kind: "existing_member", partnerId: current.partnerId };
  } else if ((invited = await acceptInvitationAtSignIn(tx, { userId, email, emailVouched: facts.emailVouched }))) {
    // An invitation to a vouched-for address wins over the organisation: the inviter chose this person.
    await audit("partner.invitation_accepted", invited.partnerId, { email, role: invited.role, provider: facts.provider }, { type: "invitation", id: invited.invitationId });
    outcome = { kind: "joined", partnerId: invited.partnerId };
  } else if (facts.provider === "github") {
    // GitHub has no organisation claim: a GitHub user joins a partner only through an invitation, never by domain.
    outcome = { kind: "no_partner" };
  } else {
    const existing = await tx.partner.findUnique({
      where: { idpProvider_idpOrganization: { idpProvider: orgKey.provider, idpOrganization: orgKey.organization } },
      select: { id: true },
    });
    // A partner an operator created for this domain (`partners create --domain`) is claimed by the first verified
    // sign-in from it, which binds it to this IdP organisation from then on.
    const unclaimed =
      !existing && organization.kind === "organization" && facts.emailVouched
        ? await tx.partner.findFirst({ where: { primaryDomain: organization.domain, idpProvider: null }, select: { id: true, ownerUserId: true } })
        : null;
    if (unclaimed) {
      await tx.partner.update({
        where: { id: unclaimed.id },
        data: { idpProvider: orgKey.provider, idpOrganization: orgKey.organization, ...(unclaimed.ownerUserId ? {} : { ownerUserId: userId }) },
      });
      await tx.user.update({ where: { id: userId }, data: { partnerId: unclaimed.id, partnerRole: unclaimed.ownerUserId ? "member" : "owner" } });
      await audit("partner.claimed", unclaimed.id, { email, provider: orgKey.provider }, { type: "partner", id: unclaimed.id });
      outcome = { kind: "joined", partnerId: unclaimed.id };
    } else if (existing && existing.id === current.removedFromPartnerId) {
      // Removed by this partner: only a new invitation brings them back, not their organisation.
      outcome = { kind: "no_partner" };
    } else if (existing) {
      await tx.user.update({ where: { id: userId }, data: { partnerId: existing.id, partnerRole: "member" } });
      await audit("partner.member_joined", existing.id, { email }, { type: "user", id: userId });
      outcome = { kind: "joined", partnerId: existing.id };
    } else {
      const autoApproved = organization.kind === "organization" && (await isAllowlisted(tx, organization, facts.emailVouched));
      const now = new Date();
      // An unvouched domain is anyone's claim: it names the partner for the admins, marked, and is not its domain.
      const name = orgKey.name && !facts.emailVouched ? `${orgKey.name} (unverified email)` : orgKey.name;
      const partner = await tx.partner.create({
        data: {
          name: name ?? email ?? "Personal account",
          status: autoApproved ? "approved" : "pending_approval",
          idpProvider: orgKey.provider,
          idpOrganization: orgKey.organization,
          primaryDomain: facts.emailVouched ? orgKey.domain : null,
          ownerUserId: userId,
          autoApproved,
          ...(autoApproved ? { approvedAt: now } : {}),
        },
        select: { id: true, name: true, primaryDomain: true },
      });
      await tx.user.update({ where: { id: userId }, data: { partnerId: partner.id, partnerRole: "owner" } });
      await audit("partner.signed_up", partner.id, { name: partner.name, domain: partner.primaryDomain, provider: orgKey.provider }, { type: "partner", id: partner.id });
      if (autoApproved) await audit("partner.approved", partner.id, { reason: "auto-approved by domain", domain: partner.primaryDomain }, { type: "partner", id: partner.id });
      await notifyAdminsOfSignup(tx, partner, current, autoApproved);
      outcome = { kind: "created", partnerId: partner.id, autoApproved };
    }
  }
  await audit("auth.sign_in", "partnerId" in outcome ? outcome.partnerId : null, signInMetadata);
  return outcome;
}

/** After the sign-in transaction commits: send the queued notifications. */
export function afterSignIn(outcome: MembershipOutcome): void {
  if (outcome.kind === "created") kickEmailDelivery();
}
