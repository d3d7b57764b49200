/**
 * The admin console's audit search (issue 13): filter by partner, actor, action, target and time range, newest
 * first, with keyset pagination on (occurred_at, id), never OFFSET, so page 10,000 costs what page 1 costs and a
 * page never repeats or skips a row while new events arrive. Each filter has an index that starts with it and ends
 * with (occurred_at DESC, id DESC) (prisma/schema.prisma), so every search is one index range scan with a LIMIT.
 */
import { z } from "zod";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { db, type Prisma } from "@/lib/db";
import { BadRequestError } from "@/lib/http/errors";

/** Actor types that have no id of their own: `actor=system` means "done by the CLI". */
const ID_LESS_ACTORS = new Set(["system", "anonymous"]);

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An instant: `2026-11-30` (midnight UTC) or an ISO 8601 date-time with an offset. */
const instant = (endOfDay: boolean) =>
  z
    .string()
    .trim()
    .max(40)
    .refine((value) => DATE_ONLY.test(value) || z.iso.datetime({ offset: true }).safeParse(value).success, "must be a date (2026-11-30) or an ISO 8601 date-time")
    .transform((value, context) => {
      const date = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00.000Z` : value);
      // A day that does not exist (2026-02-30) would roll over; refuse it instead.
      if (Number.isNaN(date.getTime()) || (DATE_ONLY.test(value) && date.toISOString().slice(0, 10) !== value)) {
        context.addIssue({ code: "custom", message: "is not a real date" });
        return z.NEVER;
      }
      // `to=2026-11-30` means "through that day": the exclusive bound is the next midnight.
      if (endOfDay && DATE_ONLY.test(value)) date.setUTCDate(date.getUTCDate() + 1);
      return date;
    });

/** A bounded filter value; a NUL byte (which PostgreSQL cannot store or compare) is the caller's mistake: 400. */
const text = (max: number) =>
  z.string().trim().min(1).max(max).refine((value) => !value.includes("\0"), "must not contain a NUL byte").optional();

/** The query of `GET /api/admin/audit` (snake_case, as on the wire). Empty parameters count as absent. */
export const auditSearchSchema = z
  .object({
    partner_id: text(64),
    /** A user id, an email (resolved to its user), or `system` / `anonymous`. */
    actor: text(254),
    /** An exact action (`partner.approved`) or a family (`partner.*`). */
    action: z
      .string()
      .trim()
      .max(100)
      .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, "must be an action such as partner.approved, or a family such as partner.*")
      .optional(),
    /** A target id, or `type:id` (`partner:clx…`). */
    target: text(200),
    /** Inclusive lower bound. */
    from: instant(false).optional(),
    /** Exclusive upper bound (a bare date includes that whole day). */
    to: instant(true).optional(),
    cursor: z.string().trim().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: "from must be before to", path: ["from"] });

export type AuditSearchInput = z.input<typeof auditSearchSchema>;
export type AuditSearch = z.output<typeof auditSearchSchema>;

/** One audit event as the console shows it (the user agent and request id stay in the table). */
export interface AuditEventView {
  id: string;
  occurredAt: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  /** The actor's email when the actor is a user that still exists. */
  actorEmail: string | null;
  partnerId: string | null;
  /** The partner's name when it still exists. */
  partnerName: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  metadata: Prisma.JsonValue;
}

export interface AuditPage {
  events: AuditEventView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** `cursor` = base64url("<occurred_at ISO>|<id>") of the last row of the previous page. */
export function encodeAuditCursor(event: { occurredAt: Date; id: string }): string {
  return Buffer.from(`${event.occurredAt.toISOString()}|${event.id}`).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @throws BadRequestError (400) unless `cursor` is one this module produced
 */
export function decodeAuditCursor(cursor: string): { occurredAt: Date; id: string } {
  const [iso, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const occurredAt = new Date(iso ?? "");
  if (extra !== undefined || !id || !UUID.test(id) || !iso || Number.isNaN(occurredAt.getTime()) || occurredAt.toISOString() !== iso) {
    throw new BadRequestError("cursor: not a cursor this search returned (start again without it)");
  }
  return { occurredAt, id };
}

interface Row {
  id: string;
  occurred_at: Date;
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_email: string | null;
  partner_id: string | null;
  partner_name: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  metadata: Prisma.JsonValue;
}

/**
 * One page of audit events for admins, newest first.
 * @param input the filters (`auditSearchSchema`): `partner_id`, `actor`, `action`, `target`, `from`, `to` (instants,
 *              `from` inclusive, `to` exclusive), `cursor`, `limit` 1..200 (default 50)
 * @returns the events and the cursor of the next page
 * @throws ZodError (400) for bad filters or dates; BadRequestError (400) for a bad cursor; ForbiddenError (403)
 *         without a minted admin actor
 */
export async function searchAuditEventsAsAdmin(admin: AdminActor, input: AuditSearchInput): Promise<AuditPage> {
  assertAdminActor(admin);
  const query = parseAuditSearch(input);
  const { text, values } = await auditSearchStatement(query);
  const rows = await db.$queryRawUnsafe<Row[]>(text, ...values);
  const page = rows.slice(0, query.limit).map(toView);
  return { events: page, nextCursor: rows.length > query.limit ? encodeAuditCursor(page.at(-1)!) : null };
}

/**
 * Every event matching the filters (the `cursor` and `limit` of the input are ignored), newest first, fetched in
 * keyset batches so memory stays flat however many rows match: for the CSV export.
 * @param batchSize rows per query (1..200)
 * @throws as `searchAuditEventsAsAdmin`, from the first batch
 */
export async function* streamAuditEventsAsAdmin(admin: AdminActor, input: AuditSearchInput, batchSize = 200): AsyncGenerator<AuditEventView> {
  let cursor: string | undefined;
  do {
    const page = await searchAuditEventsAsAdmin(admin, { ...input, cursor, limit: batchSize });
    yield* page.events;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

function toView(row: Row): AuditEventView {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    action: row.action,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorEmail: row.actor_email,
    partnerId: row.partner_id,
    partnerName: row.partner_name,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    metadata: row.metadata,
  };
}

/**
 * Validates search filters; empty parameters (`?actor=` from a form) count as absent.
 * @throws ZodError (400) naming the bad field
 */
export function parseAuditSearch(input: AuditSearchInput): AuditSearch {
  return auditSearchSchema.parse(Object.fromEntries(Object.entries(input).filter(([, value]) => value !== "" && value !== undefined && value !== null)));
}

/**
 * The one SELECT a search runs (exported so the benchmark can EXPLAIN exactly what the console asks): a page of
 * `limit + 1` rows, to know whether there is a next page.
 * @throws BadRequestError (400) for a bad cursor
 */
export async function auditSearchStatement(query: AuditSearch): Promise<{ text: string; values: unknown[] }> {
  const { where, values } = await whereClause(query);
  values.push(query.limit + 1);
  const text = `SELECT e.id::text AS id, e.occurred_at, e.action, e.actor_type, e.actor_id, u.email AS actor_email, e.partner_id,
            p.name AS partner_name, e.target_type, e.target_id, e.ip, e.metadata
       FROM audit_events e
       LEFT JOIN partners p ON p.id = e.partner_id
       LEFT JOIN users u ON e.actor_type = 'user' AND u.id = e.actor_id
      ${where}
      ORDER BY e.occurred_at DESC, e.id DESC
      LIMIT $${values.length}`;
  return { text, values };
}

/** Builds the WHERE clause with bind parameters ($1, $2, …); never splices a value into the text. */
async function whereClause(query: AuditSearch): Promise<{ where: string; values: unknown[] }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  if (query.partner_id) conditions.push(`e.partner_id = ${bind(query.partner_id)}`);
  if (query.actor) {
    if (ID_LESS_ACTORS.has(query.actor)) conditions.push(`e.actor_type = ${bind(query.actor)}`);
    else conditions.push(`e.actor_id = ${bind(await actorIdOf(query.actor))}`);
  }
  if (query.action?.endsWith(".*")) conditions.push(`e.action LIKE ${bind(`${query.action.slice(0, -1).replace(/_/g, "\\_")}%`)}`);
  else if (query.action) conditions.push(`e.action = ${bind(query.action)}`);
  if (query.target) {
    const colon = query.target.indexOf(":");
    if (colon > 0) conditions.push(`e.target_type = ${bind(query.target.slice(0, colon))}`, `e.target_id = ${bind(query.target.slice(colon + 1))}`);
    else conditions.push(`e.target_id = ${bind(query.target)}`);
  }
  if (query.from) conditions.push(`e.occurred_at >= ${bind(query.from)}`);
  if (query.to) conditions.push(`e.occurred_at < ${bind(query.to)}`);
  if (query.cursor) {
    const after = decodeAuditCursor(query.cursor);
    conditions.push(`(e.occurred_at, e.id) < (${bind(after.occurredAt)}::timestamptz, ${bind(after.id)}::uuid)`);
  }
  return { where: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", values };
}

/** An email names its user (an unknown email matches nothing); anything else is taken as the actor id itself. */
async function actorIdOf(actor: string): Promise<string> {
  if (!actor.includes("@")) return actor;
  const user = await db.user.findUnique({ where: { email: actor.toLowerCase() }, select: { id: true } });
  return user?.id ?? "(no such user)";
}
