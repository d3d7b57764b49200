/**
 * A partner's team: removing members, changing roles, transferring ownership. Tenant functions take the caller's
 * tenant (`partnerId`, from the policy's principal); a user of another partner is answered 404, like one that does not
 * exist. Every change commits in one transaction with its audit entry, and the partner row is locked first so two
 * concurrent changes cannot leave the partner without an owner.
 *
 * Rules: owners and admins manage the team (the policy's `partnerRole: "admin"`); only owners touch owners (remove,
 * demote, promote to owner); the last owner can neither leave, be removed nor be demoted (409).
 */
import { z } from "zod";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { auditRow } from "@/lib/audit/record-audit";
import { db, type Prisma } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/http/errors";

export type PartnerRole = "owner" | "admin" | "member";

/** Who manages the team: a member of the partner (with their role), or the operator (CLI, `AdminActor`). */
export type TeamActor = { type: "user"; id: string; partnerRole: PartnerRole } | AdminActor;

export const memberRolePatchSchema = z.object({ role: z.enum(["owner", "admin", "member"], { error: "must be owner, admin or member" }) });

export interface RemovedMember {
  userId: string;
  /** Browser sessions ended. */
  sessionsEnded: number;
  /** API keys of theirs revoked. */
  apiKeysRevoked: number;
}

const LAST_OWNER = "The last owner cannot leave, be removed or be demoted. Make someone else an owner first.";

function auditActor(actor: TeamActor): { type: "user" | "system"; id: string | null } {
  return { type: actor.type, id: actor.id ?? null };
}

/** Locks the partner row (serialises team changes) and loads the target member of this partner, or 404. */
async function lockedMember(tx: Prisma.TransactionClient, partnerId: string, userId: string) {
  await tx.$queryRaw`SELECT id FROM partners WHERE id = ${partnerId} FOR UPDATE`;
  const member = await tx.user.findFirst({ where: { id: userId, partnerId }, select: { id: true, email: true, partnerRole: true } });
  if (!member) throw new NotFoundError("No such member.");
  return { ...member, partnerRole: member.partnerRole ?? "member" };
}

async function ownerCount(tx: Prisma.TransactionClient, partnerId: string): Promise<number> {
  return tx.user.count({ where: { partnerId, partnerRole: "owner" } });
}

/**
 * Only owners touch owners. The acting member's role is read again under the partner lock (the policy's copy is from
 * the start of the request: an owner demoted at the same moment must not act as one).
 */
async function assertMayTouch(tx: Prisma.TransactionClient, partnerId: string, actor: TeamActor, targetRole: PartnerRole): Promise<void> {
  if (!("partnerRole" in actor) || targetRole !== "owner") return;
  const current = await tx.user.findFirst({ where: { id: actor.id, partnerId }, select: { partnerRole: true } });
  if (current?.partnerRole !== "owner") throw new ForbiddenError("Only an owner can change another owner.");
}

/**
 * Removes a member from the partner: they leave the organisation and its groups, every browser session of theirs
 * ends, every API key they own in the partner is revoked and every application they connected is disconnected
 * (their OAuth grants are deleted), at once, in one transaction with the audit entry. A
 * member may remove themselves (leave) unless they are the last owner.
 * @param partnerId the caller's tenant
 * @param userId    the member to remove
 * @throws NotFoundError (404) when the user is not a member of this partner; ForbiddenError (403) when an admin
 *         targets an owner; ConflictError (409) for the last owner
 */
export async function removeMember(partnerId: string, userId: string, actor: TeamActor): Promise<RemovedMember> {
  if (!("partnerRole" in actor)) assertAdminActor(actor);
  return db.$transaction(async (tx) => {
    const member = await lockedMember(tx, partnerId, userId);
    await assertMayTouch(tx, partnerId, actor, member.partnerRole);
    if (member.partnerRole === "owner" && (await ownerCount(tx, partnerId)) <= 1) throw new ConflictError(LAST_OWNER);
    // Remembered so that their next sign-in does not let them straight back in by their organisation.
    await tx.user.update({ where: { id: userId }, data: { partnerId: null, partnerRole: null, removedFromPartnerId: partnerId } });
    await tx.groupMembership.deleteMany({ where: { userId, group: { partnerId } } });
    await tx.partner.updateMany({ where: { id: partnerId, ownerUserId: userId }, data: { ownerUserId: null } });
    const sessions = await tx.session.deleteMany({ where: { userId } });
    const keys = await tx.apiKey.updateMany({ where: { partnerId, ownerUserId: userId, revokedAt: null }, data: { revokedAt: new Date() } });
    const grants = await tx.oAuthGrant.deleteMany({ where: { partnerId, userId } });
    // Portal previews are shared by the partner's members (one live preview token per project): a removed member's
    // preview cookie must not outlive them, so every live preview ends; the others open a new one with a click.
    await tx.clientAccessToken.updateMany({ where: { isPreview: true, revokedAt: null, client: { partnerId } }, data: { revokedAt: new Date() } });
    await tx.auditEvent.create({
      data: auditRow({
        action: actor.id === userId ? "partner.member_left" : "partner.member_removed",
        actor: auditActor(actor),
        partnerId,
        target: { type: "user", id: userId },
        metadata: { email: member.email, role: member.partnerRole, sessionsEnded: sessions.count, apiKeysRevoked: keys.count, appGrantsRevoked: grants.count },
      }),
    });
    return { userId, sessionsEnded: sessions.count, apiKeysRevoked: keys.count };
  });
}

/**
 * Operator removal (`npm run gatehouse -- members remove <userId>`): removes the user from whichever partner they
 * belong to, with the same rules and effects as `removeMember`.
 * @throws NotFoundError (404) when the user belongs to no partner; ConflictError (409) for the last owner
 */
export async function removeMemberAsAdmin(userId: string, admin: AdminActor): Promise<RemovedMember & { partnerId: string }> {
  assertAdminActor(admin);
  const user = await db.user.findUnique({ where: { id: userId }, select: { partnerId: true } });
  if (!user?.partnerId) throw new NotFoundError("No such member.");
  return { partnerId: user.partnerId, ...(await removeMember(user.partnerId, userId, admin)) };
}

/**
 * Changes a member's role. Making someone an owner adds an owner (see transferOwnership to hand over); demoting an
 * owner needs another owner to remain.
 * @param input `{ role }` (memberRolePatchSchema)
 * @throws ZodError (400); NotFoundError (404); ForbiddenError (403) when an admin touches owners; ConflictError (409)
 */
export async function changeMemberRole(partnerId: string, userId: string, input: unknown, actor: TeamActor): Promise<{ userId: string; role: PartnerRole }> {
  const { role } = memberRolePatchSchema.parse(input);
  if (!("partnerRole" in actor)) assertAdminActor(actor);
  return db.$transaction(async (tx) => {
    const member = await lockedMember(tx, partnerId, userId);
    await assertMayTouch(tx, partnerId, actor, member.partnerRole);
    await assertMayTouch(tx, partnerId, actor, role);
    if (member.partnerRole === role) return { userId, role };
    if (member.partnerRole === "owner" && (await ownerCount(tx, partnerId)) <= 1) throw new ConflictError(LAST_OWNER);
    await tx.user.update({ where: { id: userId }, data: { partnerRole: role } });
    // A demoted recorded owner hands the record (approval emails, the admin page) to a remaining owner.
    if (member.partnerRole === "owner") {
      const next = await tx.user.findFirst({ where: { partnerId, partnerRole: "owner" }, orderBy: { createdAt: "asc" }, select: { id: true } });
      await tx.partner.updateMany({ where: { id: partnerId, ownerUserId: userId }, data: { ownerUserId: next?.id ?? null } });
    }
    await tx.auditEvent.create({
      data: auditRow({ action: "partner.member_role_changed", actor: auditActor(actor), partnerId, target: { type: "user", id: userId }, metadata: { from: member.partnerRole, to: role } }),
    });
    return { userId, role };
  });
}

/**
 * Hands ownership to another member: they become an owner (and the partner's recorded owner), the acting owner
 * becomes an admin.
 * @throws NotFoundError (404) for a non-member; ForbiddenError (403) unless the actor is an owner; ConflictError (409)
 *         when transferring to oneself
 */
export async function transferOwnership(partnerId: string, toUserId: string, actor: { type: "user"; id: string; partnerRole: PartnerRole }): Promise<{ ownerUserId: string }> {
  if (actor.partnerRole !== "owner") throw new ForbiddenError("Only an owner can transfer ownership.");
  if (actor.id === toUserId) throw new ConflictError("You already own this organisation.");
  return db.$transaction(async (tx) => {
    const target = await lockedMember(tx, partnerId, toUserId);
    const self = await tx.user.findFirst({ where: { id: actor.id, partnerId, partnerRole: "owner" }, select: { id: true } });
    if (!self) throw new ForbiddenError("Only an owner can transfer ownership.");
    await tx.user.update({ where: { id: toUserId }, data: { partnerRole: "owner" } });
    await tx.user.update({ where: { id: actor.id }, data: { partnerRole: "admin" } });
    await tx.partner.update({ where: { id: partnerId }, data: { ownerUserId: toUserId } });
    await tx.auditEvent.create({
      data: auditRow({ action: "partner.ownership_transferred", actor: auditActor(actor), partnerId, target: { type: "user", id: toUserId }, metadata: { from: actor.id, previousRole: target.partnerRole } }),
    });
    return { ownerUserId: toUserId };
  });
}

/**
 * Ends every browser session of a member of the partner (owners and admins: "sign them out everywhere").
 * @returns how many sessions ended
 * @throws NotFoundError (404) for a non-member; ForbiddenError (403) when an admin targets an owner
 */
export async function endMemberSessions(partnerId: string, userId: string, actor: TeamActor): Promise<{ sessionsEnded: number }> {
  if (!("partnerRole" in actor)) assertAdminActor(actor);
  return db.$transaction(async (tx) => {
    const member = await lockedMember(tx, partnerId, userId);
    if (actor.id !== userId) await assertMayTouch(tx, partnerId, actor, member.partnerRole);
    const ended = await tx.session.deleteMany({ where: { userId } });
    await tx.auditEvent.create({
      data: auditRow({ action: "partner.member_sessions_ended", actor: auditActor(actor), partnerId, target: { type: "user", id: userId }, metadata: { sessionsEnded: ended.count } }),
    });
    return { sessionsEnded: ended.count };
  });
}
