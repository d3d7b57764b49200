/**
 * A partner's clients and their portal access links. Every function takes the caller's tenant first.
 */
import { z } from "zod";
import { db, type Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { auditRow, type AuditActorType } from "@/lib/audit/record-audit";
import { ConflictError, NotFoundError } from "@/lib/http/errors";
import { enqueueEmail, kickEmailDelivery } from "@/lib/mail/outbox";
import { enforceRateLimit } from "@/lib/rate-limit/rate-limit";
import { generateSecret } from "@/lib/secrets/secret-format";

export type Actor = { type: AuditActorType; id: string };

export const clientCreateSchema = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(200),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, "must be lowercase letters, digits and dashes")
    .optional(),
});

export const accessLinkCreateSchema = z.object({
  label: z.string().trim().min(1, "is required").max(100),
  /** Days until the link expires, 1..365; omitted → PORTAL_LINK_TTL_DAYS (default 30). Links never live forever. */
  expires_in_days: z.coerce.number({ error: "must be a number of days" }).int().min(1, "must be from 1 to 365 days").max(365, "must be from 1 to 365 days").optional(),
  /** Optionally email the link to a contact (once, now). */
  email: z.union([z.literal(""), z.email({ error: "must be an email address" }).max(254)]).optional(),
});

export interface ClientView {
  id: string;
  name: string;
  slug: string;
  active: boolean;
  isPreview: boolean;
  projectCount: number;
  createdAt: Date;
}

export interface AccessLinkView {
  id: string;
  label: string;
  status: "active" | "revoked" | "expired";
  isPreview: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const clientSelect = { id: true, name: true, slug: true, active: true, previewForProjectId: true, createdAt: true, _count: { select: { projects: true } } } as const;

function toClientView({ _count, previewForProjectId, ...row }: Prisma.ClientGetPayload<{ select: typeof clientSelect }>): ClientView {
  return { ...row, isPreview: previewForProjectId !== null, projectCount: _count.projects };
}

function slugify(name: string): string {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "client";
}

/** The portal URL for a raw access secret. */
export function portalEntryUrl(secret: string): string {
  return `${getConfig().appUrl}/portal/enter/${secret}`;
}

/** What the stored copy of an email shows instead of a portal URL (the outbox never keeps a usable link). */
export function redactedPortalEntryUrl(): string {
  return portalEntryUrl("gpl_[redacted]");
}

/** The tenant's clients by name, page-numbered. */
export async function listClients(partnerId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ clients: ClientView[]; total: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const [rows, total] = await db.$transaction([
    db.client.findMany({ where: { partnerId }, select: clientSelect, orderBy: [{ name: "asc" }, { id: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.client.count({ where: { partnerId } }),
  ]);
  return { clients: rows.map(toClientView), total };
}

/** One client. @throws NotFoundError (404) outside the tenant */
export async function getClient(partnerId: string, clientId: string): Promise<ClientView> {
  const row = await db.client.findFirst({ where: { id: clientId, partnerId }, select: clientSelect });
  if (!row) throw new NotFoundError("No such client.");
  return toClientView(row);
}

/** Creates a client. @throws ZodError; ConflictError (409) when the slug is taken */
export async function createClient(partnerId: string, input: unknown, actor: Actor): Promise<ClientView> {
  const data = clientCreateSchema.parse(input);
  const slug = data.slug ?? slugify(data.name);
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.client.create({ data: { partnerId, name: data.name, slug }, select: clientSelect });
      await tx.auditEvent.create({ data: auditRow({ action: "client.created", actor, partnerId, target: { type: "client", id: row.id }, metadata: { name: data.name, slug } }) });
      return toClientView(row);
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ConflictError(`A client with the slug "${slug}" already exists.`);
    throw error;
  }
}

/**
 * Deactivates (or reactivates) a client. Deactivation ends its live portal sessions on their next request.
 * @throws NotFoundError
 */
export async function setClientActive(partnerId: string, clientId: string, active: boolean, actor: Actor): Promise<ClientView> {
  return db.$transaction(async (tx) => {
    const updated = await tx.client.updateMany({ where: { id: clientId, partnerId }, data: { active } });
    if (updated.count === 0) throw new NotFoundError("No such client.");
    await tx.auditEvent.create({ data: auditRow({ action: active ? "client.activated" : "client.deactivated", actor, partnerId, target: { type: "client", id: clientId } }) });
    return toClientView(await tx.client.findUniqueOrThrow({ where: { id: clientId }, select: clientSelect }));
  });
}

/**
 * Issues a portal link for a client. The raw URL is returned once; only the secret's SHA-256 digest is stored.
 * The link expires after `expires_in_days` (1..365) or, omitted, PORTAL_LINK_TTL_DAYS (default 30).
 * With `email`, the link is also sent to that contact through the outbox: the stored copy shows a redacted URL, the
 * real text is kept sealed only until it is sent (lib/mail/outbox.ts).
 * Emailing is limited per partner (RATE_LIMIT_PORTAL_EMAILS_PER_HOUR, default 50): over it, nothing is written.
 * @throws ZodError (400) for bad input; NotFoundError (404, client outside the tenant); ConflictError (409, client
 *   inactive); RateLimitedError (429 with Retry-After) when the partner has emailed too many links this hour
 */
export async function issueAccessLink(partnerId: string, clientId: string, input: unknown, actor: Actor): Promise<{ url: string; link: AccessLinkView }> {
  const data = accessLinkCreateSchema.parse(input);
  if (data.email) {
    await enforceRateLimit("portal-link-email", { subject: `partner:${partnerId}`, ip: null, actor, partnerId }, "Your organisation has emailed too many portal links this hour. Create the link without email, or try again later.");
  }
  const secret = generateSecret("gpl");
  const url = portalEntryUrl(secret.secret);
  const link = await db.$transaction(async (tx) => {
    const client = await tx.client.findFirst({ where: { id: clientId, partnerId }, select: { active: true, name: true, partner: { select: { name: true } } } });
    if (!client) throw new NotFoundError("No such client.");
    if (!client.active) throw new ConflictError("This client is deactivated. Reactivate it before issuing links.");
    const row = await tx.clientAccessToken.create({
      data: {
        clientId,
        label: data.label,
        tokenDigest: secret.digest,
        createdById: actor.type === "user" ? actor.id : null,
        expiresAt: new Date(Date.now() + (data.expires_in_days ?? getConfig().portalLinkTtlDays) * 86_400_000),
      },
    });
    await tx.auditEvent.create({
      data: auditRow({ action: "client.link_issued", actor, partnerId, target: { type: "client", id: clientId }, metadata: { accessTokenId: row.id, label: data.label, emailed: Boolean(data.email) } }),
    });
    if (data.email) {
      const body = (link: string) =>
        `${client.partner.name} has shared a project portal for ${client.name} with you.\n\nOpen it here (this link is personal; do not forward it; it expires on ${row.expiresAt!.toISOString().slice(0, 10)}):\n\n${link}\n`;
      await enqueueEmail(tx, {
        dedupeKey: `portal.link:${row.id}`,
        to: [data.email],
        subject: `Your project portal from ${client.partner.name}`,
        text: body(redactedPortalEntryUrl()),
        secretText: body(url),
      });
    }
    return toLinkView(row);
  });
  if (data.email) kickEmailDelivery();
  return { url, link };
}

function toLinkView(row: { id: string; label: string; isPreview: boolean; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null }): AccessLinkView {
  const status = row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt.getTime() <= Date.now() ? "expired" : "active";
  return { id: row.id, label: row.label, status, isPreview: row.isPreview, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, expiresAt: row.expiresAt, revokedAt: row.revokedAt };
}

/** A client's links, newest first. @throws NotFoundError */
export async function listAccessLinks(partnerId: string, clientId: string): Promise<AccessLinkView[]> {
  await getClient(partnerId, clientId);
  const rows = await db.clientAccessToken.findMany({ where: { clientId }, orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map(toLinkView);
}

/**
 * Revokes a link: future clicks and live sessions opened with it stop working on their next request.
 * @throws NotFoundError (404) for a link outside the tenant
 */
export async function revokeAccessLink(partnerId: string, accessTokenId: string, actor: Actor): Promise<AccessLinkView> {
  return db.$transaction(async (tx) => {
    const token = await tx.clientAccessToken.findFirst({ where: { id: accessTokenId, client: { partnerId } } });
    if (!token) throw new NotFoundError("No such link.");
    const row = token.revokedAt ? token : await tx.clientAccessToken.update({ where: { id: accessTokenId }, data: { revokedAt: new Date() } });
    if (!token.revokedAt) {
      await tx.auditEvent.create({ data: auditRow({ action: "client.link_revoked", actor, partnerId, target: { type: "client", id: token.clientId }, metadata: { accessTokenId } }) });
    }
    return toLinkView(row);
  });
}
