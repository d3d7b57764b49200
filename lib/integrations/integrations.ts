/**
 * Integrations: a partner's connections to AWS accounts and Google Workspace, Okta and Entra ID directories
 * (docs/ARCHITECTURE.md "Integrations"). Every function takes the caller's tenant (`partnerId`) first and filters by
 * it; another partner's integration is indistinguishable from a missing one (404). Every change is audited as
 * `integration.*` in the append-only audit log.
 */
import { z } from "zod";
import { auditRow, recordAudit } from "@/lib/audit/record-audit";
import { integrationAudit, type IntegrationActor, type RequestMeta } from "@/lib/integrations/audit";
import { getConfig } from "@/lib/config";
import { db, sql } from "@/lib/db";
import { BadRequestError, ConflictError, NotFoundError } from "@/lib/http/errors";
import { generateExternalId, parseRoleArn, verifyAwsRole } from "@/lib/integrations/aws";
import { oktaOrgUrl } from "@/lib/integrations/oauth";
import { requestSync } from "@/lib/integrations/sync";
import { IntegrationError, RESOURCE_TYPES, RISK_LEVELS, type IntegrationProvider, type IntegrationRecord, type IntegrationStatus, type ResourceType, type RiskLevel } from "@/lib/integrations/types";

/** Display names of the providers. */
export const PROVIDER_NAMES: Record<IntegrationProvider, string> = { aws: "AWS", google: "Google Workspace", okta: "Okta", entra: "Microsoft Entra ID" };

/** Statuses in words. */
export const STATUS_NAMES: Record<IntegrationStatus, string> = { pending: "Setup not finished", connected: "Connected", reconnect_needed: "Reconnect needed" };

/** An integration as pages and the API show it (never its credentials). */
export interface IntegrationView extends Omit<IntegrationRecord, "credentials" | "credentialsKeyId"> {
  syncIntervalMinutes: number | null;
  nextSyncAt: Date | null;
  lastSyncAt: Date | null;
  lastSyncStatus: string | null;
  createdAt: Date;
  /** Resources per risk level, e.g. `{ critical: 2, high: 10, medium: 0, low: 300 }`. */
  riskCounts: Record<RiskLevel, number>;
  resourceCount: number;
  /** The queued or running job, if any. */
  activeJobId: string | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const integrationCreateSchema = z.discriminatedUnion("provider", [
  z.object({ provider: z.literal("aws"), name: z.string().trim().min(1, "is required").max(100) }),
  z.object({
    provider: z.literal("google"),
    name: z.string().trim().min(1, "is required").max(100),
    directory: z.string().trim().toLowerCase().regex(DOMAIN, "must be your Google Workspace primary domain, e.g. example.com"),
  }),
  z.object({
    provider: z.literal("okta"),
    name: z.string().trim().min(1, "is required").max(100),
    directory: z.string().trim().max(300).url("must be your Okta domain, e.g. https://example.okta.com"),
  }),
  z.object({
    provider: z.literal("entra"),
    name: z.string().trim().min(1, "is required").max(100),
    directory: z.string().trim().toLowerCase().regex(GUID, "must be your Microsoft Entra tenant ID (a GUID)"),
  }),
]);

export const integrationUpdateSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(100).optional(),
    /** Minutes between scheduled syncs: 60 to 10080 (a week), or null for on request only. */
    sync_interval_minutes: z.number().int().min(60).max(10_080).nullable().optional(),
  })
  .refine((v) => v.name !== undefined || v.sync_interval_minutes !== undefined, "send name and/or sync_interval_minutes");

export const roleArnSchema = z.object({ role_arn: z.string().trim().max(2048).refine((v) => parseRoleArn(v) !== null, "must be an IAM role ARN: arn:aws:iam::<account id>:role/<name>") });

/** Whether Gatehouse is configured to offer `provider` (its OAuth app or AWS principal is set). */
export function providerAvailable(provider: IntegrationProvider): boolean {
  const config = getConfig().integrations;
  return provider === "aws" ? Boolean(config.awsPrincipalArn) : Boolean(config[provider]);
}

/**
 * An Okta org URL as stored: the one rule lib/integrations/oauth.ts `oktaOrgUrl` applies at connect time (Okta's own
 * https domains only in production; Gatehouse sends its client secret there).
 * @throws BadRequestError when not acceptable
 */
export function normaliseOktaOrg(value: string): string {
  try {
    return oktaOrgUrl(value);
  } catch (error) {
    if (error instanceof IntegrationError) throw new BadRequestError(`directory: ${error.message}`);
    throw error;
  }
}

const recordSelect = {
  id: true,
  partnerId: true,
  provider: true,
  name: true,
  status: true,
  externalId: true,
  roleArn: true,
  accountId: true,
  directory: true,
  grantedScopes: true,
  credentials: true,
  credentialsKeyId: true,
} as const;

/**
 * The integration with its sealed credentials, for the connectors and OAuth flows (never for a response).
 * @throws NotFoundError when it does not exist in this tenant
 */
export async function getIntegrationRecord(partnerId: string, integrationId: string): Promise<IntegrationRecord> {
  const row = await db.integration.findFirst({ where: { id: integrationId, partnerId }, select: recordSelect });
  if (!row) throw new NotFoundError("Integration not found");
  return row;
}

type ViewRow = Awaited<ReturnType<typeof loadViews>>[number];

async function loadViews(partnerId: string, where: { id?: string }, paging?: { skip: number; take: number }) {
  return db.integration.findMany({
    where: { partnerId, ...where },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    ...paging,
    select: {
      ...recordSelect,
      credentials: false,
      credentialsKeyId: false,
      syncIntervalMinutes: true,
      nextSyncAt: true,
      lastSyncAt: true,
      lastSyncStatus: true,
      createdAt: true,
      jobs: { where: { activeFor: { not: null } }, select: { id: true }, take: 1 },
    },
  });
}

async function withCounts(rows: ViewRow[]): Promise<IntegrationView[]> {
  if (rows.length === 0) return [];
  const counts = await sql<{ integration_id: string; risk_level: RiskLevel; n: number }>`
    SELECT integration_id, risk_level::text AS risk_level, count(*)::int AS n FROM integration_resources
     WHERE integration_id = ANY(${rows.map((r) => r.id)}::text[]) GROUP BY 1, 2`;
  return rows.map(({ jobs, ...row }) => {
    const riskCounts = Object.fromEntries(RISK_LEVELS.map((level) => [level, 0])) as Record<RiskLevel, number>;
    for (const c of counts) if (c.integration_id === row.id) riskCounts[c.risk_level] = c.n;
    return { ...row, riskCounts, resourceCount: Object.values(riskCounts).reduce((a, b) => a + b, 0), activeJobId: jobs[0]?.id ?? null };
  });
}

/** The tenant's integrations, newest first, page-numbered, with risk counts. */
export async function listIntegrations(partnerId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ integrations: IntegrationView[]; total: number }> {
  const page = options.page ?? 1;
  const pageSize = options.pageSize ?? 50;
  const [rows, total] = await Promise.all([loadViews(partnerId, {}, { skip: (page - 1) * pageSize, take: pageSize }), db.integration.count({ where: { partnerId } })]);
  return { integrations: await withCounts(rows), total };
}

/**
 * One integration of the tenant.
 * @throws NotFoundError when it does not exist in this tenant
 */
export async function getIntegration(partnerId: string, integrationId: string): Promise<IntegrationView> {
  const [view] = await withCounts(await loadViews(partnerId, { id: integrationId }));
  if (!view) throw new NotFoundError("Integration not found");
  return view;
}

/**
 * Creates an integration in `pending` state. AWS: Gatehouse generates the ExternalId (never the customer). Google:
 * the domain; Okta: the org URL; Entra: the tenant id; each must be the partner's own where Gatehouse knows it (the
 * organisation they signed in with), and is checked again against what the provider vouches for at the callback.
 * @throws ZodError (400) or BadRequestError for invalid input or a provider Gatehouse is not configured for
 */
export async function createIntegration(partnerId: string, input: unknown, actor: IntegrationActor, meta: RequestMeta = {}): Promise<IntegrationView> {
  const data = integrationCreateSchema.parse(input);
  if (!providerAvailable(data.provider)) throw new BadRequestError(`${PROVIDER_NAMES[data.provider]} integrations are not configured on this Gatehouse`);
  let directory: string | null = null;
  if (data.provider !== "aws") {
    directory = data.provider === "okta" ? normaliseOktaOrg(data.directory) : data.directory;
    const partner = await db.partner.findUniqueOrThrow({ where: { id: partnerId }, select: { idpProvider: true, idpOrganization: true, primaryDomain: true } });
    if (data.provider === "entra" && partner.idpProvider === "microsoft-entra-id" && partner.idpOrganization && partner.idpOrganization !== directory) {
      throw new BadRequestError("directory: must be the Entra tenant your organisation signs in with");
    }
    if (data.provider === "google" && partner.idpProvider === "google" && partner.idpOrganization && partner.idpOrganization !== directory) {
      throw new BadRequestError("directory: must be the Google Workspace domain your organisation signs in with");
    }
  }
  const integration = await db.$transaction(async (tx) => {
    const row = await tx.integration.create({
      data: { partnerId, provider: data.provider, name: data.name, directory, externalId: data.provider === "aws" ? generateExternalId() : null, createdById: actor.type === "user" ? actor.id : null },
      select: { id: true },
    });
    await tx.auditEvent.create({ data: auditRow(integrationAudit("created", { partnerId, id: row.id }, actor, { provider: data.provider, name: data.name }, meta)) });
    return row;
  });
  return getIntegration(partnerId, integration.id);
}

/**
 * Renames an integration or changes its sync schedule.
 * @throws ZodError (400) or BadRequestError for invalid input; NotFoundError outside the tenant
 */
export async function updateIntegration(partnerId: string, integrationId: string, input: unknown, actor: IntegrationActor, meta: RequestMeta = {}): Promise<IntegrationView> {
  const { name, sync_interval_minutes: interval } = integrationUpdateSchema.parse(input);
  await db.$transaction(async (tx) => {
    const updated = await tx.integration.updateMany({
      where: { id: integrationId, partnerId },
      data: {
        ...(name !== undefined ? { name } : {}),
        ...(interval !== undefined ? { syncIntervalMinutes: interval, nextSyncAt: interval === null ? null : new Date(Date.now() + interval * 60_000) } : {}),
      },
    });
    if (updated.count === 0) throw new NotFoundError("Integration not found");
    await tx.auditEvent.create({ data: auditRow(integrationAudit("updated", { partnerId, id: integrationId }, actor, { ...(name !== undefined ? { name } : {}), ...(interval !== undefined ? { sync_interval_minutes: interval } : {}) }, meta)) });
  });
  return getIntegration(partnerId, integrationId);
}

/**
 * Disconnects and purges: deletes the integration, its credentials, resources, jobs and pending authorizations in
 * one transaction. A sync running elsewhere finds its job gone and stores nothing. The audit trail stays.
 * @returns how many resources were purged
 * @throws NotFoundError outside the tenant
 */
export async function disconnectIntegration(partnerId: string, integrationId: string, actor: IntegrationActor, meta: RequestMeta = {}): Promise<{ purgedResources: number }> {
  return db.$transaction(async (tx) => {
    const existing = await tx.integration.findFirst({ where: { id: integrationId, partnerId }, select: { provider: true, name: true } });
    if (!existing) throw new NotFoundError("Integration not found");
    const purged = await tx.integrationResource.deleteMany({ where: { integrationId } });
    await tx.integration.delete({ where: { id: integrationId } });
    await tx.auditEvent.create({ data: auditRow(integrationAudit("disconnected", { partnerId, id: integrationId }, actor, { provider: existing.provider, name: existing.name, purged_resources: purged.count }, meta)) });
    return { purgedResources: purged.count };
  });
}

/**
 * Connects an AWS integration to the customer's role: runs the four checks (lib/integrations/aws.ts
 * `verifyAwsRole`, each audited), then stores the role ARN and account id (never the STS credentials) and queues
 * the first sync.
 * @throws ZodError (400) for a malformed ARN; BadRequestError (400) for a non-AWS integration or when a check fails,
 *         with the reason the partner can act on; ConflictError (409) while a sync is queued or running;
 *         NotFoundError outside the tenant
 */
export async function connectAwsRole(partnerId: string, integrationId: string, input: unknown, actor: IntegrationActor, meta: RequestMeta = {}): Promise<IntegrationView> {
  const { role_arn: roleArn } = roleArnSchema.parse(input);
  const record = await getIntegrationRecord(partnerId, integrationId);
  if (record.provider !== "aws" || !record.externalId) throw new BadRequestError("Only AWS integrations connect with a role ARN");
  const auditCheck = async (action: string, metadata: Record<string, string | number | boolean>) => {
    await recordAudit(integrationAudit(action, { partnerId, id: integrationId }, actor, metadata, meta));
  };
  let accountId: string;
  try {
    ({ accountId } = await verifyAwsRole({ integrationId, externalId: record.externalId, roleArn }, auditCheck));
  } catch (error) {
    if (error instanceof IntegrationError) throw new BadRequestError(error.message);
    throw error;
  }
  await db.$transaction(async (tx) => {
    // A sync that started under the previous role would store that account's resources under this one.
    if ((await tx.syncJob.count({ where: { integrationId, activeFor: { not: null } } })) > 0) {
      throw new ConflictError("A sync of this integration is queued or running; change the role once it has finished");
    }
    const updated = await tx.integration.updateMany({ where: { id: integrationId, partnerId }, data: { roleArn, accountId, status: "connected" } });
    if (updated.count === 0) throw new NotFoundError("Integration not found");
    await tx.auditEvent.create({ data: auditRow(integrationAudit("connected", { partnerId, id: integrationId }, actor, { provider: "aws", role_arn: roleArn, account_id: accountId }, meta)) });
  });
  await requestSync(partnerId, integrationId, actor, meta, "connect").catch((error: unknown) => {
    if (!(error instanceof ConflictError)) throw error; // a sync already queued serves as the first one
  });
  return getIntegration(partnerId, integrationId);
}

/** An empty query parameter (`?type=` from a form's "All") means no filter. */
const emptyIsAbsent = (value: unknown) => (value === "" ? undefined : value);

export const resourceQuerySchema = z.object({
  type: z.preprocess(emptyIsAbsent, z.enum(RESOURCE_TYPES).optional()),
  risk: z.preprocess(emptyIsAbsent, z.enum(RISK_LEVELS).optional()),
  q: z.preprocess(emptyIsAbsent, z.string().trim().max(200).optional()),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});

/** One stored resource as shown (its attributes are provider facts, never credentials). */
export interface ResourceView {
  id: string;
  type: ResourceType;
  externalId: string;
  name: string;
  email: string | null;
  riskLevel: RiskLevel;
  riskReasons: string[];
  attributes: unknown;
  updatedAt: Date;
}

/**
 * An integration's resources, riskiest first then by name, with filters (type, risk level, a name/email search) and
 * page numbers.
 * @throws ZodError (400) for bad filters; NotFoundError outside the tenant
 */
export async function listResources(partnerId: string, integrationId: string, query: unknown): Promise<{ resources: ResourceView[]; total: number; page: number; pageSize: number }> {
  const { type, risk, q, page, page_size: pageSize } = resourceQuerySchema.parse(query);
  const found = await db.integration.count({ where: { id: integrationId, partnerId } });
  if (found === 0) throw new NotFoundError("Integration not found");
  const where = {
    integrationId,
    partnerId,
    ...(type ? { type } : {}),
    ...(risk ? { riskLevel: risk } : {}),
    ...(q ? { OR: [{ name: { contains: q, mode: "insensitive" as const } }, { email: { contains: q, mode: "insensitive" as const } }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db.integrationResource.findMany({
      where,
      orderBy: [{ riskLevel: "asc" }, { name: "asc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { id: true, type: true, externalId: true, name: true, email: true, riskLevel: true, riskReasons: true, attributes: true, updatedAt: true },
    }),
    db.integrationResource.count({ where }),
  ]);
  return { resources: rows as ResourceView[], total, page, pageSize };
}


/** One audit entry about an integration, as its page lists them. */
export interface IntegrationAuditView {
  id: string;
  occurredAt: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  metadata: unknown;
}

/**
 * The integration's audit trail, newest first (connects, checks, syncs, credential uses, failures). It outlives a
 * disconnect, so it is read by target, within the tenant.
 */
export async function listIntegrationAudit(partnerId: string, integrationId: string, options: { limit?: number } = {}): Promise<IntegrationAuditView[]> {
  return db.auditEvent.findMany({
    where: { partnerId, targetType: "integration", targetId: integrationId },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: Math.min(options.limit ?? 50, 200),
    select: { id: true, occurredAt: true, action: true, actorType: true, actorId: true, metadata: true },
  });
}
