/**
 * The partner approval state machine, for admins and operators (cross-tenant by design, hence `…AsAdmin`):
 *
 *   pending_approval ──approve──▶ approved ──suspend──▶ suspended ──reinstate──▶ approved
 *          └─────────reject──────▶ rejected
 *
 * Every transition is one conditional UPDATE (`WHERE status = <from>`), so a double-click or two admins at once
 * produce exactly one transition, one audit entry and one email; the loser gets 409.
 */
import { z } from "zod";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { db, type Prisma } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";
import { ConflictError, NotFoundError } from "@/lib/http/errors";
import { kickEmailDelivery } from "@/lib/mail/outbox";
import { notifyOwnerOfDecision } from "@/lib/partners/notifications";

export type PartnerStatus = "pending_approval" | "approved" | "rejected" | "suspended";
export type Actor = AdminActor;

export const partnerReasonSchema = z.object({ reason: z.string().trim().min(3, "must say why (at least 3 characters)").max(500) });
export const partnerCreateSchema = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(200),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/, "must be a domain such as acme.com")
    .optional(),
  approve: z.boolean().default(false),
});
export const partnerListSchema = z.object({
  status: z.enum(["pending_approval", "approved", "rejected", "suspended"]).optional(),
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export interface PartnerAdminView {
  id: string;
  name: string;
  status: PartnerStatus;
  primaryDomain: string | null;
  idpProvider: string | null;
  idpOrganization: string | null;
  autoApproved: boolean;
  owner: { id: string; email: string | null; name: string | null } | null;
  memberCount: number;
  approvedBy: { id: string; email: string | null } | null;
  approvedAt: Date | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
  suspendedAt: Date | null;
  suspensionReason: string | null;
  createdAt: Date;
}

const STATUS_LABEL: Record<PartnerStatus, string> = {
  pending_approval: "pending approval",
  approved: "already approved",
  rejected: "already rejected",
  suspended: "suspended",
};

type Transition = {
  from: PartnerStatus;
  to: PartnerStatus;
  action: string;
  data: (actor: Actor, now: Date) => Prisma.PartnerUpdateManyMutationInput;
  metadata?: Prisma.InputJsonObject;
  after?: (tx: Prisma.TransactionClient, partner: { id: string; name: string; primaryDomain: string | null; ownerUserId: string | null }) => Promise<void>;
};

async function transition(partnerId: string, actor: Actor, t: Transition): Promise<PartnerAdminView> {
  assertAdminActor(actor);
  const view = await db.$transaction(async (tx) => {
    const now = new Date();
    const updated = await tx.partner.updateMany({ where: { id: partnerId, status: t.from }, data: { status: t.to, ...t.data(actor, now) } });
    if (updated.count === 0) {
      const partner = await tx.partner.findUnique({ where: { id: partnerId }, select: { status: true } });
      if (!partner) throw new NotFoundError("No such partner.");
      throw new ConflictError(`This partner is ${STATUS_LABEL[partner.status]}; it cannot be ${t.to === "approved" && t.from === "suspended" ? "reinstated" : t.to.replace("_", " ")} from there.`);
    }
    const partner = await tx.partner.findUniqueOrThrow({ where: { id: partnerId }, select: { id: true, name: true, primaryDomain: true, ownerUserId: true } });
    await tx.auditEvent.create({
      data: auditRow({ action: t.action, actor: { type: actor.type, id: actor.id }, partnerId, target: { type: "partner", id: partnerId }, metadata: t.metadata ?? {} }),
    });
    await t.after?.(tx, partner);
    return readPartner(tx, partnerId);
  });
  kickEmailDelivery();
  return view;
}

async function ownerEmail(tx: Prisma.TransactionClient, ownerUserId: string | null): Promise<string | null> {
  if (!ownerUserId) return null;
  return (await tx.user.findUnique({ where: { id: ownerUserId }, select: { email: true } }))?.email ?? null;
}

/**
 * Approves a pending partner and emails its owner.
 * @throws NotFoundError (404) for an unknown id; ConflictError (409) when it is not pending
 */
export async function approvePartnerAsAdmin(partnerId: string, actor: Actor): Promise<PartnerAdminView> {
  return transition(partnerId, actor, {
    from: "pending_approval",
    to: "approved",
    action: "partner.approved",
    data: (a, now) => ({ approvedById: a.id ?? null, approvedAt: now }),
    after: async (tx, partner) => notifyOwnerOfDecision(tx, partner, await ownerEmail(tx, partner.ownerUserId), { approved: true }),
  });
}

/**
 * Rejects a pending partner with a reason shown to its members and emailed to its owner.
 * @throws ZodError for a missing reason; NotFoundError (404); ConflictError (409) when it is not pending
 */
export async function rejectPartnerAsAdmin(partnerId: string, input: { reason: string }, actor: Actor): Promise<PartnerAdminView> {
  const { reason } = partnerReasonSchema.parse(input);
  return transition(partnerId, actor, {
    from: "pending_approval",
    to: "rejected",
    action: "partner.rejected",
    data: (a, now) => ({ rejectedById: a.id ?? null, rejectedAt: now, rejectionReason: reason }),
    metadata: { reason },
    after: async (tx, partner) => notifyOwnerOfDecision(tx, partner, await ownerEmail(tx, partner.ownerUserId), { approved: false, reason }),
  });
}

/**
 * Suspends an approved partner: every member's session ends, every API key is revoked and every application its
 * members connected is disconnected (their grants are deleted: reinstatement does not bring them back), at once, in
 * the same transaction as the status change.
 * @throws ZodError for a missing reason; NotFoundError (404); ConflictError (409) when it is not approved
 */
export async function suspendPartnerAsAdmin(partnerId: string, input: { reason: string }, actor: Actor): Promise<PartnerAdminView> {
  const { reason } = partnerReasonSchema.parse(input);
  return transition(partnerId, actor, {
    from: "approved",
    to: "suspended",
    action: "partner.suspended",
    data: (a, now) => ({ suspendedById: a.id ?? null, suspendedAt: now, suspensionReason: reason }),
    metadata: { reason },
    after: async (tx) => {
      const ended = await tx.session.deleteMany({ where: { user: { partnerId } } });
      const keys = await tx.apiKey.updateMany({ where: { partnerId, revokedAt: null }, data: { revokedAt: new Date() } });
      const grants = await tx.oAuthGrant.deleteMany({ where: { partnerId } });
      await tx.auditEvent.create({
        data: auditRow({ action: "partner.sessions_ended", actor: { type: actor.type, id: actor.id }, partnerId, target: { type: "partner", id: partnerId }, metadata: { sessions: ended.count, apiKeysRevoked: keys.count, appGrantsRevoked: grants.count } }),
      });
    },
  });
}

/**
 * Lifts a suspension.
 * @throws NotFoundError (404); ConflictError (409) when it is not suspended
 */
export async function reinstatePartnerAsAdmin(partnerId: string, actor: Actor): Promise<PartnerAdminView> {
  return transition(partnerId, actor, {
    from: "suspended",
    to: "approved",
    action: "partner.reinstated",
    data: () => ({ suspendedById: null, suspendedAt: null, suspensionReason: null }),
  });
}

/**
 * Creates a partner by hand (operators). With a domain, the first sign-in from that Google Workspace domain (or a
 * verified Entra email domain) claims it instead of creating another partner.
 * @throws ZodError for bad input; ConflictError (409) when the domain already belongs to a partner
 */
export async function createPartnerAsAdmin(input: z.input<typeof partnerCreateSchema>, actor: Actor): Promise<PartnerAdminView> {
  assertAdminActor(actor);
  const { name, domain, approve } = partnerCreateSchema.parse(input);
  return db.$transaction(async (tx) => {
    if (domain && (await tx.partner.count({ where: { primaryDomain: domain } })) > 0) throw new ConflictError(`A partner with the domain ${domain} already exists.`);
    const now = new Date();
    const partner = await tx.partner.create({
      data: { name, primaryDomain: domain ?? null, status: approve ? "approved" : "pending_approval", ...(approve ? { approvedAt: now, approvedById: actor.id ?? null } : {}) },
      select: { id: true },
    });
    await tx.auditEvent.create({
      data: auditRow({ action: "partner.created", actor: { type: actor.type, id: actor.id }, partnerId: partner.id, target: { type: "partner", id: partner.id }, metadata: { name, domain: domain ?? null } }),
    });
    if (approve) {
      await tx.auditEvent.create({ data: auditRow({ action: "partner.approved", actor: { type: actor.type, id: actor.id }, partnerId: partner.id, target: { type: "partner", id: partner.id }, metadata: { reason: "approved at creation" } }) });
    }
    return readPartner(tx, partner.id);
  });
}

const adminSelect = {
  id: true,
  name: true,
  status: true,
  primaryDomain: true,
  idpProvider: true,
  idpOrganization: true,
  autoApproved: true,
  ownerUserId: true,
  approvedById: true,
  approvedAt: true,
  rejectedAt: true,
  rejectionReason: true,
  suspendedAt: true,
  suspensionReason: true,
  createdAt: true,
  _count: { select: { members: true } },
} as const;

type AdminRow = Prisma.PartnerGetPayload<{ select: typeof adminSelect }>;

async function toAdminViews(tx: Prisma.TransactionClient, rows: AdminRow[]): Promise<PartnerAdminView[]> {
  const userIds = [...new Set(rows.flatMap((r) => [r.ownerUserId, r.approvedById]).filter((id): id is string => Boolean(id)))];
  const users = new Map((await tx.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true, name: true } })).map((u) => [u.id, u]));
  return rows.map(({ _count, ownerUserId, approvedById, ...row }) => ({
    ...row,
    owner: ownerUserId ? (users.get(ownerUserId) ?? null) : null,
    approvedBy: approvedById ? { id: approvedById, email: users.get(approvedById)?.email ?? null } : null,
    memberCount: _count.members,
  }));
}

async function readPartner(tx: Prisma.TransactionClient, partnerId: string): Promise<PartnerAdminView> {
  const row = await tx.partner.findUniqueOrThrow({ where: { id: partnerId }, select: adminSelect });
  return (await toAdminViews(tx, [row]))[0]!;
}

/**
 * One partner, for admins.
 * @throws NotFoundError (404); ForbiddenError (403) without a minted admin actor
 */
export async function getPartnerAsAdmin(admin: AdminActor, partnerId: string): Promise<PartnerAdminView> {
  assertAdminActor(admin);
  const row = await db.partner.findUnique({ where: { id: partnerId }, select: adminSelect });
  if (!row) throw new NotFoundError("No such partner.");
  return (await toAdminViews(db, [row]))[0]!;
}

/**
 * Lists partners for the admin queue: filter by status, search name/domain, newest first, page-numbered.
 * @param input `{ status?, q?, page = 1, pageSize = 20 (max 100) }`
 * @returns the page and the total count of matches
 */
export async function listPartnersAsAdmin(admin: AdminActor, input: z.input<typeof partnerListSchema> = {}): Promise<{ partners: PartnerAdminView[]; total: number; page: number; pageSize: number }> {
  assertAdminActor(admin);
  const { status, q, page, pageSize } = partnerListSchema.parse(input);
  const where: Prisma.PartnerWhereInput = {
    ...(status ? { status } : {}),
    ...(q ? { OR: [{ name: { contains: q, mode: "insensitive" } }, { primaryDomain: { contains: q, mode: "insensitive" } }] } : {}),
  };
  const [rows, total] = await db.$transaction([
    db.partner.findMany({ where, select: adminSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.partner.count({ where }),
  ]);
  return { partners: await toAdminViews(db, rows), total, page, pageSize };
}

/** Counts per status, for the admin tabs. @throws ForbiddenError (403) without a minted admin actor */
export async function countPartnersByStatusAsAdmin(admin: AdminActor): Promise<Record<PartnerStatus, number>> {
  assertAdminActor(admin);
  const groups = await db.partner.groupBy({ by: ["status"], _count: { _all: true } });
  const counts: Record<PartnerStatus, number> = { pending_approval: 0, approved: 0, rejected: 0, suspended: 0 };
  for (const g of groups) counts[g.status] = g._count._all;
  return counts;
}
