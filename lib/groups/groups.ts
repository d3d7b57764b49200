/**
 * Groups and memberships: the first resource API. Every function takes the caller's tenant (`partnerId`) first and
 * filters by it; another tenant's group is indistinguishable from a missing one (404).
 */
import { z } from "zod";
import { db, sql, type Prisma } from "@/lib/db";
import { auditRow, type AuditActorType } from "@/lib/audit/record-audit";
import { ConflictError, NotFoundError } from "@/lib/http/errors";

export const groupCreateSchema = z.object({
  name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
  description: z.string().trim().max(500).optional().nullable(),
});
export const groupUpdateSchema = groupCreateSchema.partial().refine((v) => v.name !== undefined || v.description !== undefined, "send name and/or description");
export const groupMemberAddSchema = z.object({ user_id: z.string().trim().min(1, "is required").max(64) });
export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});

export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupMemberView {
  userId: string;
  email: string | null;
  name: string | null;
  addedAt: Date;
}

export interface GroupActor {
  type: AuditActorType;
  id: string;
}

const groupSelect = { id: true, name: true, description: true, createdAt: true, updatedAt: true, _count: { select: { memberships: true } } } as const;

function toView({ _count, ...group }: Prisma.GroupGetPayload<{ select: typeof groupSelect }>): GroupView {
  return { ...group, memberCount: _count.memberships };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "P2002";
}

/** The tenant's groups by name, page-numbered. */
export async function listGroups(partnerId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ groups: GroupView[]; total: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const [rows, total] = await db.$transaction([
    db.group.findMany({ where: { partnerId }, select: groupSelect, orderBy: [{ name: "asc" }, { id: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.group.count({ where: { partnerId } }),
  ]);
  return { groups: rows.map(toView), total };
}

/**
 * One group of the tenant.
 * @throws NotFoundError (404) when it does not exist or belongs to another tenant
 */
export async function getGroup(partnerId: string, groupId: string): Promise<GroupView> {
  // Raw SQL on the Bearer read path: the ORM's per-call query compilation cost more CPU than the query (bench/NOTES.md).
  const [group] = await sql<GroupView>`
    SELECT g.id, g.name, g.description, g.created_at AS "createdAt", g.updated_at AS "updatedAt",
           (SELECT count(*) FROM group_memberships m WHERE m.group_id = g.id)::int AS "memberCount"
    FROM groups g WHERE g.id = ${groupId} AND g.partner_id = ${partnerId}`;
  if (!group) throw new NotFoundError("No such group.");
  return group;
}

/**
 * Creates a group. @throws ZodError; ConflictError (409) when the tenant already has a group with that name
 */
export async function createGroup(partnerId: string, input: unknown, actor: GroupActor): Promise<GroupView> {
  const data = groupCreateSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const group = await tx.group.create({ data: { partnerId, name: data.name, description: data.description ?? null }, select: groupSelect });
      await tx.auditEvent.create({ data: auditRow({ action: "group.created", actor, partnerId, target: { type: "group", id: group.id }, metadata: { name: data.name } }) });
      return toView(group);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A group named "${data.name}" already exists.`);
    throw error;
  }
}

/** Renames or re-describes a group. @throws ZodError; NotFoundError; ConflictError (name taken) */
export async function updateGroup(partnerId: string, groupId: string, input: unknown, actor: GroupActor): Promise<GroupView> {
  const data = groupUpdateSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const updated = await tx.group.updateMany({ where: { id: groupId, partnerId }, data });
      if (updated.count === 0) throw new NotFoundError("No such group.");
      await tx.auditEvent.create({ data: auditRow({ action: "group.updated", actor, partnerId, target: { type: "group", id: groupId }, metadata: { ...data } }) });
      return toView(await tx.group.findUniqueOrThrow({ where: { id: groupId }, select: groupSelect }));
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A group named "${data.name}" already exists.`);
    throw error;
  }
}

/** Deletes a group and its memberships. @throws NotFoundError */
export async function deleteGroup(partnerId: string, groupId: string, actor: GroupActor): Promise<void> {
  await db.$transaction(async (tx) => {
    const group = await tx.group.findFirst({ where: { id: groupId, partnerId }, select: { name: true } });
    if (!group) throw new NotFoundError("No such group.");
    await tx.group.delete({ where: { id: groupId } });
    await tx.auditEvent.create({ data: auditRow({ action: "group.deleted", actor, partnerId, target: { type: "group", id: groupId }, metadata: { name: group.name } }) });
  });
}

/** A group's members, page-numbered. @throws NotFoundError for a group outside the tenant */
export async function listGroupMembers(partnerId: string, groupId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ members: GroupMemberView[]; total: number }> {
  await getGroup(partnerId, groupId);
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const [rows, total] = await db.$transaction([
    db.groupMembership.findMany({
      where: { groupId },
      orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { userId: true, createdAt: true, user: { select: { email: true, name: true } } },
    }),
    db.groupMembership.count({ where: { groupId } }),
  ]);
  return { members: rows.map((r) => ({ userId: r.userId, email: r.user.email, name: r.user.name, addedAt: r.createdAt })), total };
}

/**
 * Adds a member of the tenant to a group. Idempotent.
 * @returns whether the membership is new
 * @throws NotFoundError (404) for a group or user outside the tenant
 */
export async function addGroupMember(partnerId: string, groupId: string, userId: string, actor: GroupActor): Promise<{ added: boolean; member: GroupMemberView }> {
  return db.$transaction(async (tx) => {
    const group = await tx.group.findFirst({ where: { id: groupId, partnerId }, select: { id: true } });
    if (!group) throw new NotFoundError("No such group.");
    const user = await tx.user.findFirst({ where: { id: userId, partnerId }, select: { id: true, email: true, name: true } });
    if (!user) throw new NotFoundError("No such user in this organisation.");
    const inserted = await tx.groupMembership.createMany({ data: [{ groupId, userId }], skipDuplicates: true });
    if (inserted.count === 1) {
      await tx.auditEvent.create({ data: auditRow({ action: "group.member_added", actor, partnerId, target: { type: "group", id: groupId }, metadata: { userId } }) });
    }
    const membership = await tx.groupMembership.findUniqueOrThrow({ where: { groupId_userId: { groupId, userId } }, select: { createdAt: true } });
    return { added: inserted.count === 1, member: { userId, email: user.email, name: user.name, addedAt: membership.createdAt } };
  });
}

/** Removes a member. @throws NotFoundError when the group is outside the tenant or the user is not a member */
export async function removeGroupMember(partnerId: string, groupId: string, userId: string, actor: GroupActor): Promise<void> {
  await db.$transaction(async (tx) => {
    const group = await tx.group.findFirst({ where: { id: groupId, partnerId }, select: { id: true } });
    if (!group) throw new NotFoundError("No such group.");
    const removed = await tx.groupMembership.deleteMany({ where: { groupId, userId } });
    if (removed.count === 0) throw new NotFoundError("That user is not a member of this group.");
    await tx.auditEvent.create({ data: auditRow({ action: "group.member_removed", actor, partnerId, target: { type: "group", id: groupId }, metadata: { userId } }) });
  });
}

/**
 * The cheap membership check services call before acting for a user: one indexed query.
 * @returns the membership, or null when the user is not a member or the group is not the tenant's
 */
export async function checkGroupMembership(partnerId: string, groupId: string, userId: string): Promise<{ addedAt: Date } | null> {
  const rows = await sql<{ created_at: Date }>`
    SELECT m.created_at FROM group_memberships m JOIN groups g ON g.id = m.group_id
    WHERE m.group_id = ${groupId} AND m.user_id = ${userId} AND g.partner_id = ${partnerId}`;
  return rows[0] ? { addedAt: rows[0].created_at } : null;
}
