/**
 * People (users) as operators and admins see them. Cross-tenant by nature: these are admin functions.
 */
import { z } from "zod";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { db } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";
import { BadRequestError, ConflictError, NotFoundError } from "@/lib/http/errors";

export const adminCreateSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "must be an email address" }).max(254)),
  name: z.string().trim().min(1).max(200).optional(),
});

export interface UserSummary {
  id: string;
  email: string | null;
  name: string | null;
  role: "admin" | "partner";
  createdAt: Date;
  lastSignInAt: Date | null;
}

const summarySelect = { id: true, email: true, name: true, role: true, createdAt: true, lastSignInAt: true } as const;

/**
 * Makes `email` an admin: creates the user (who links their identity-provider account at first sign-in, when the
 * provider vouches for the email) or promotes an existing one. Idempotent. Writes an audit entry in the same
 * transaction.
 * @param input `{ email, name? }`, validated by `adminCreateSchema`
 * @param actor who did it (`system` for the CLI)
 * @returns the user and whether it was created
 * @throws ZodError for an invalid email
 */
export async function createAdminAsAdmin(
  input: z.input<typeof adminCreateSchema>,
  actor: AdminActor,
): Promise<{ user: UserSummary; created: boolean }> {
  assertAdminActor(actor);
  const { email, name } = adminCreateSchema.parse(input);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email }, select: { id: true } });
    const user = existing
      ? await tx.user.update({ where: { email }, data: { role: "admin" }, select: summarySelect })
      : await tx.user.create({ data: { email, name: name ?? null, role: "admin" }, select: summarySelect });
    await tx.auditEvent.create({
      data: auditRow({
        action: existing ? "user.promoted_to_admin" : "user.admin_created",
        actor: { type: actor.type, id: actor.id ?? null },
        target: { type: "user", id: user.id },
        metadata: { email },
      }),
    });
    return { user, created: !existing };
  });
}

export const userListSchema = z.object({
  role: z.enum(["admin", "partner"]).optional(),
  partnerId: z.string().trim().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().trim().max(200).optional(),
});

export interface UserListEntry extends UserSummary {
  partner: { id: string; name: string } | null;
  partnerRole: "owner" | "admin" | "member" | null;
}

/** `cursor` = base64url("<created_at ISO>|<id>") of the last row of the previous page. */
function encodeUserCursor(user: { createdAt: Date; id: string }): string {
  return Buffer.from(`${user.createdAt.toISOString()}|${user.id}`).toString("base64url");
}

function decodeUserCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (extra !== undefined || !id || !iso || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) {
    throw new BadRequestError("cursor: not a cursor this list returned (start again without it)");
  }
  return { createdAt, id };
}

/**
 * Lists users, newest first, with keyset pagination on (created_at, id).
 * @param options.role      only this role; `options.partnerId` only this partner's members
 * @param options.limit     page size 1..200 (default 50)
 * @param options.cursor    the `nextCursor` of the previous page
 * @throws ZodError (400) for bad options; BadRequestError (400) for a bad cursor
 */
export async function listUsersAsAdmin(admin: AdminActor, options: z.input<typeof userListSchema> = {}): Promise<{
  users: UserListEntry[];
  nextCursor: string | null;
}> {
  assertAdminActor(admin);
  const { role, partnerId, limit, cursor } = userListSchema.parse(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== "" && v !== undefined)));
  const after = cursor ? decodeUserCursor(cursor) : null;
  const users = await db.user.findMany({
    where: {
      ...(role ? { role } : {}),
      ...(partnerId ? { partnerId } : {}),
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { ...summarySelect, partnerRole: true, partner: { select: { id: true, name: true } } },
  });
  const page = users.slice(0, limit);
  return { users: page, nextCursor: users.length > limit ? encodeUserCursor(page.at(-1)!) : null };
}

/**
 * Makes a user an admin (`promote`) or takes the role away (`demote`, back to `partner`), audited in the same
 * transaction. The last admin cannot be demoted: every admin row is locked first, so two admins demoting each
 * other at once cannot both succeed and leave nobody.
 * @returns the user after the change
 * @throws NotFoundError (404) for an unknown user; ConflictError (409) when the user already has that role, or
 *         when demoting the last admin
 */
export async function setUserAdminAsAdmin(userId: string, change: "promote" | "demote", actor: AdminActor): Promise<UserSummary> {
  assertAdminActor(actor);
  return db.$transaction(async (tx) => {
    const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`;
    const user = await tx.user.findUnique({ where: { id: userId }, select: summarySelect });
    if (!user) throw new NotFoundError("No such user.");
    const isAdmin = admins.some((a) => a.id === userId);
    if (change === "promote" && isAdmin) throw new ConflictError(`${user.email ?? "This user"} is already an admin.`);
    if (change === "demote" && !isAdmin) throw new ConflictError(`${user.email ?? "This user"} is not an admin.`);
    if (change === "demote" && admins.length <= 1) throw new ConflictError(`${user.email ?? "This user"} is the last admin; promote someone else first.`);
    const updated = await tx.user.update({ where: { id: userId }, data: { role: change === "promote" ? "admin" : "partner" }, select: summarySelect });
    await tx.auditEvent.create({
      data: auditRow({
        action: change === "promote" ? "user.promoted_to_admin" : "user.demoted_from_admin",
        actor: { type: actor.type, id: actor.id ?? null },
        target: { type: "user", id: userId },
        metadata: { email: user.email },
      }),
    });
    return updated;
  });
}
