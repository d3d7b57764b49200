/**
 * People (users) as operators and admins see them. Cross-tenant by nature: these are admin functions.
 */
import { z } from "zod";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { db } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";

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

/**
 * Lists users, newest first, with keyset pagination.
 * @param options.role   only this role
 * @param options.limit  page size 1..200 (default 50)
 * @param options.cursor the `nextCursor` of the previous page
 */
export async function listUsersAsAdmin(admin: AdminActor, options: { role?: "admin" | "partner"; limit?: number; cursor?: string } = {}): Promise<{
  users: UserSummary[];
  nextCursor: string | null;
}> {
  assertAdminActor(admin);
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const users = await db.user.findMany({
    where: options.role ? { role: options.role } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
    select: summarySelect,
  });
  const hasMore = users.length > limit;
  const page = hasMore ? users.slice(0, limit) : users;
  return { users: page, nextCursor: hasMore ? page[page.length - 1]!.id : null };
}
