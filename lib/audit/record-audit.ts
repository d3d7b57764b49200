/**
 * Append-only audit log (docs/ARCHITECTURE.md "lib/audit"). Rows are only ever inserted: the database refuses
 * UPDATE, DELETE and TRUNCATE on `audit_events` (trigger in the first migration).
 */
import { db, type Prisma } from "@/lib/db";
import { logger } from "@/lib/http/logger";

export type AuditActorType = "user" | "service" | "api_key" | "portal" | "system" | "anonymous";

export interface AuditEntry {
  /** Dotted verb, e.g. `auth.sign_in`. */
  action: string;
  actor: { type: AuditActorType; id?: string | null };
  /** The tenant (partner id) the event belongs to, if any. */
  partnerId?: string | null;
  target?: { type: string; id: string } | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** Small, secret-free facts about the event. */
  metadata?: Prisma.InputJsonObject;
}

export interface AuditEvent {
  id: string;
  occurredAt: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  partnerId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  metadata: Prisma.JsonValue;
}

/** Maps an entry to the row's columns (shared by `recordAudit` and callers inside a transaction). */
export function auditRow(entry: AuditEntry): Prisma.AuditEventCreateInput {
  return {
    action: entry.action,
    actorType: entry.actor.type,
    actorId: entry.actor.id ?? null,
    partnerId: entry.partnerId ?? null,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: entry.ip?.slice(0, 64) ?? null,
    userAgent: entry.userAgent?.slice(0, 512) ?? null,
    requestId: entry.requestId ?? null,
    metadata: entry.metadata ?? {},
  };
}

/**
 * Appends one audit event.
 * @param entry what happened, who did it, to what
 * @param tx    a transaction client, so the event commits or rolls back with the change it describes
 * @returns the stored event id
 * @throws the database error when the insert fails (callers decide whether that fails the request)
 */
export async function recordAudit(entry: AuditEntry, tx: Prisma.TransactionClient = db): Promise<string> {
  const row = await tx.auditEvent.create({ data: auditRow(entry), select: { id: true } });
  return row.id;
}

/**
 * Appends an audit event without failing the caller: used where the event describes something that already
 * happened outside a transaction (a refused sign-in). A failure is logged, never thrown.
 */
export function recordAuditInBackground(entry: AuditEntry): void {
  recordAudit(entry).catch((error: unknown) => {
    logger.error({ err: { message: error instanceof Error ? error.message : String(error) }, action: entry.action }, "audit write failed");
  });
}

/**
 * Lists audit events, newest first.
 * @param filter.partnerId restricts to one tenant (required for tenant callers; admins pass `null` for all)
 * @param filter.limit     page size, 1..100
 */
export async function listAuditEvents(filter: { partnerId: string | null; actorId?: string; action?: string; limit?: number }): Promise<AuditEvent[]> {
  return db.auditEvent.findMany({
    where: {
      ...(filter.partnerId !== null ? { partnerId: filter.partnerId } : {}),
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.action ? { action: filter.action } : {}),
    },
    orderBy: { occurredAt: "desc" },
    take: Math.min(Math.max(filter.limit ?? 20, 1), 100),
    select: { id: true, occurredAt: true, action: true, actorType: true, actorId: true, partnerId: true, targetType: true, targetId: true, ip: true, metadata: true },
  });
}
