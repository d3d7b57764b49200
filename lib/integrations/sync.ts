/**
 * Sync jobs (docs/ARCHITECTURE.md "Integrations"): a queue in PostgreSQL that any instance works.
 *
 * - One active job per integration: `sync_jobs.active_for` holds the integration id while a job is queued or running
 *   and is unique, so a second request fails on the constraint (409) whatever instance it reaches.
 * - A worker claims the oldest claimable job with `FOR UPDATE SKIP LOCKED` and holds it by a lease it renews while
 *   it runs; a crashed worker's lease runs out and another instance takes the job over (up to MAX_ATTEMPTS).
 * - A run keeps at most `resourceLimit` resources per type (the job ends `partial`) and stops at `syncTimeoutSeconds`
 *   (the job ends `timed_out`). Resources missing from a run are deleted only after a complete, untruncated run.
 * - Writes are batched: one INSERT … SELECT FROM unnest(…) per thousand resources, in the transaction that ends the
 *   job, so a run's result appears whole or not at all.
 *
 * Gatehouse's own code: the queue is a few statements on a table PostgreSQL already locks well; a job library would
 * add a second scheduler to operate and a second schema to migrate.
 */
import { randomUUID } from "node:crypto";
import { auditRow, recordAudit } from "@/lib/audit/record-audit";
import { integrationAudit, type IntegrationActor, type RequestMeta } from "@/lib/integrations/audit";
import { getConfig } from "@/lib/config";
import { db, sql, type Prisma } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/http/errors";
import { logger } from "@/lib/http/logger";
import { connectorFor } from "@/lib/integrations/connectors";
import { IntegrationError, RESOURCE_TYPES, type FoundResource, type IntegrationRecord, type ResourceType, type SyncContext } from "@/lib/integrations/types";

/** Seconds a claim lasts without renewal; the worker renews every third of it. */
export const LEASE_SECONDS = 30;
/** A job whose worker died this many times is failed instead of taken over again. */
export const MAX_ATTEMPTS = 3;
const BATCH = 1000;

/** A sync job as pages, the API and MCP show it. */
export interface SyncJobView {
  id: string;
  integrationId: string;
  status: "queued" | "running" | "succeeded" | "partial" | "timed_out" | "failed";
  trigger: string;
  progress: Partial<Record<ResourceType, number>>;
  counts: Partial<Record<ResourceType, number>>;
  truncated: string[];
  deleted: number;
  error: string | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const jobSelect = {
  id: true,
  integrationId: true,
  status: true,
  trigger: true,
  progress: true,
  counts: true,
  truncated: true,
  deleted: true,
  error: true,
  attempts: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
} as const;

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "P2002";
}

/**
 * Queues a sync of a connected integration.
 * @param trigger `manual` (a person or token asked), `connect` (first sync), `scheduled`
 * @returns the queued job
 * @throws NotFoundError outside the tenant; ConflictError (409) when the integration is not connected or a sync is
 *         already queued or running
 */
export async function requestSync(partnerId: string, integrationId: string, actor: IntegrationActor, meta: RequestMeta = {}, trigger: "manual" | "connect" = "manual"): Promise<SyncJobView> {
  const integration = await db.integration.findFirst({ where: { id: integrationId, partnerId }, select: { status: true } });
  if (!integration) throw new NotFoundError("Integration not found");
  if (integration.status !== "connected") throw new ConflictError("The integration is not connected; finish its setup (or connect it again) first");
  try {
    return await db.$transaction(async (tx) => {
      const job = await tx.syncJob.create({
        data: { integrationId, partnerId, trigger, activeFor: integrationId, requestedById: actor.type === "user" ? actor.id : null },
        select: jobSelect,
      });
      await tx.auditEvent.create({ data: auditRow(integrationAudit("sync_requested", { partnerId, id: integrationId }, actor, { job_id: job.id, trigger }, meta)) });
      return job as SyncJobView;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("A sync of this integration is already queued or running");
    throw error;
  }
}

/** The integration's jobs, newest first, page-numbered. @throws NotFoundError outside the tenant */
export async function listSyncJobs(partnerId: string, integrationId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ jobs: SyncJobView[]; total: number }> {
  const page = options.page ?? 1;
  const pageSize = options.pageSize ?? 20;
  if ((await db.integration.count({ where: { id: integrationId, partnerId } })) === 0) throw new NotFoundError("Integration not found");
  const [jobs, total] = await Promise.all([
    db.syncJob.findMany({ where: { integrationId, partnerId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize, select: jobSelect }),
    db.syncJob.count({ where: { integrationId, partnerId } }),
  ]);
  return { jobs: jobs as SyncJobView[], total };
}

/** One job of the tenant's integration. @throws NotFoundError outside the tenant */
export async function getSyncJob(partnerId: string, integrationId: string, jobId: string): Promise<SyncJobView> {
  const job = await db.syncJob.findFirst({ where: { id: jobId, integrationId, partnerId }, select: jobSelect });
  if (!job) throw new NotFoundError("Sync job not found");
  return job as SyncJobView;
}

interface ClaimedJob {
  id: string;
  integration_id: string;
  partner_id: string;
  attempts: number;
}

/**
 * Claims the oldest queued job, or a running one whose lease ran out (its worker died), for `workerId`.
 * A job taken over more than MAX_ATTEMPTS times is failed instead.
 * @returns the claimed job, or null when there is none
 */
export async function claimSyncJob(workerId: string): Promise<ClaimedJob | null> {
  for (;;) {
    const [job] = await sql<ClaimedJob>`
      UPDATE sync_jobs SET status = 'running', lease_owner = ${workerId}, lease_until = now() + make_interval(secs => ${LEASE_SECONDS}),
             attempts = attempts + 1, started_at = COALESCE(started_at, now())
       WHERE id = (SELECT id FROM sync_jobs
                    WHERE active_for IS NOT NULL AND (status = 'queued' OR (status = 'running' AND lease_until < now()))
                    ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
      RETURNING id, integration_id, partner_id, attempts`;
    if (!job) return null;
    if (job.attempts <= MAX_ATTEMPTS) return job;
    await finishJob(job, workerId, { status: "failed", error: "The sync stopped without finishing several times; try again" }, [], null);
  }
}

/** Collects a run's resources per type, keeping at most `limit` of each. */
class Collector {
  readonly byType = new Map<ResourceType, FoundResource[]>(RESOURCE_TYPES.map((t) => [t, []]));
  readonly truncated = new Set<ResourceType>();
  readonly progress: Partial<Record<ResourceType, number>> = {};
  /** `type\0externalId` of every kept resource: a provider may list one twice (a user moving between listings). */
  readonly #seen = new Set<string>();
  constructor(readonly limit: number) {}

  add(resource: FoundResource): boolean {
    const list = this.byType.get(resource.type);
    if (!list) throw new Error(`Unknown resource type ${resource.type}`);
    const key = `${resource.type}\0${resource.externalId}`;
    if (this.#seen.has(key)) return true;
    if (list.length >= this.limit) {
      this.truncated.add(resource.type);
      return false;
    }
    this.#seen.add(key);
    list.push(resource);
    return true;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.byType].map(([type, list]) => [type, list.length]));
  }
}

type Outcome = { status: "succeeded" | "partial" | "timed_out" | "failed"; error?: string };

async function writeResources(tx: Prisma.TransactionClient, job: ClaimedJob, collector: Collector): Promise<void> {
  const all = [...collector.byType.values()].flat();
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    await tx.$executeRaw`
      INSERT INTO integration_resources (id, integration_id, partner_id, type, external_id, name, email, attributes, risk_level, risk_reasons, last_seen_job_id, updated_at)
      SELECT gen_random_uuid()::text, ${job.integration_id}, ${job.partner_id}, r.type, r.external_id, r.name, r.email, r.attributes::jsonb,
             r.risk_level::"RiskLevel", ARRAY(SELECT jsonb_array_elements_text(r.reasons::jsonb)), ${job.id}, now()
        FROM unnest(${batch.map((r) => r.type)}::text[], ${batch.map((r) => r.externalId)}::text[], ${batch.map((r) => String(r.name ?? r.externalId).slice(0, 500))}::text[],
                    ${batch.map((r) => r.email ?? null)}::text[], ${batch.map((r) => JSON.stringify(r.attributes))}::text[],
                    ${batch.map((r) => r.risk.level)}::text[], ${batch.map((r) => JSON.stringify(r.risk.reasons))}::text[])
             AS r(type, external_id, name, email, attributes, risk_level, reasons)
      ON CONFLICT (integration_id, type, external_id) DO UPDATE
        SET name = EXCLUDED.name, email = EXCLUDED.email, attributes = EXCLUDED.attributes, risk_level = EXCLUDED.risk_level,
            risk_reasons = EXCLUDED.risk_reasons, last_seen_job_id = EXCLUDED.last_seen_job_id, updated_at = now()`;
  }
}

/**
 * Ends a job: stores what the run read (all of it or nothing), deletes what the provider no longer has only after a
 * complete untruncated run, and releases the integration for the next job. A worker that lost its lease, or whose
 * integration was disconnected meanwhile, changes nothing.
 */
async function finishJob(job: ClaimedJob, workerId: string, outcome: Outcome, truncated: ResourceType[], collector: Collector | null): Promise<void> {
  const finished = await db.$transaction(
    async (tx) => {
      const owned = await tx.syncJob.updateMany({
        where: { id: job.id, leaseOwner: workerId, status: "running" },
        data: {
          status: outcome.status,
          error: outcome.error ?? null,
          counts: collector ? collector.counts() : {},
          progress: collector ? collector.counts() : {},
          truncated,
          finishedAt: new Date(),
          activeFor: null,
          leaseOwner: null,
          leaseUntil: null,
        },
      });
      if (owned.count === 0) return false;
      let deleted = 0;
      if (collector && outcome.status !== "failed") {
        await writeResources(tx, job, collector);
        if (outcome.status === "succeeded") {
          deleted = await tx.$executeRaw`DELETE FROM integration_resources WHERE integration_id = ${job.integration_id} AND last_seen_job_id <> ${job.id}`;
          if (deleted > 0) await tx.syncJob.update({ where: { id: job.id }, data: { deleted } });
        }
      }
      const integration = await tx.integration.findUnique({ where: { id: job.integration_id }, select: { syncIntervalMinutes: true } });
      if (!integration) throw new NotFoundError("The integration was disconnected during the sync");
      await tx.integration.update({
        where: { id: job.integration_id },
        data: {
          lastSyncAt: new Date(),
          lastSyncStatus: outcome.status,
          nextSyncAt: integration.syncIntervalMinutes ? new Date(Date.now() + integration.syncIntervalMinutes * 60_000) : null,
        },
      });
      await tx.auditEvent.create({
        data: auditRow(
          integrationAudit(outcome.status === "failed" ? "sync_failed" : "sync_finished", { partnerId: job.partner_id, id: job.integration_id }, { type: "system", id: workerId }, {
            job_id: job.id,
            status: outcome.status,
            deleted,
            truncated: truncated.join(","),
            ...(collector ? collector.counts() : {}),
            ...(outcome.error ? { error: outcome.error } : {}),
          }),
        ),
      });
      return true;
    },
    { timeout: 60_000 },
  ).catch((error: unknown) => {
    if (error instanceof NotFoundError) return false;
    throw error;
  });
  if (!finished) logger.info({ jobId: job.id }, "sync job ended elsewhere (lease lost or integration disconnected); its result was dropped");
}

/**
 * Runs one claimed job to its end: opens nothing itself (each connector opens its own credentials), renews the lease
 * and publishes progress every LEASE_SECONDS/3, and aborts the connector at the sync timeout or when the lease is lost.
 */
export async function runSyncJob(job: ClaimedJob, workerId: string, stopping?: AbortSignal): Promise<void> {
  const config = getConfig().integrations;
  const integration = await db.integration.findUnique({
    where: { id: job.integration_id },
    select: { id: true, partnerId: true, provider: true, name: true, status: true, externalId: true, roleArn: true, accountId: true, directory: true, grantedScopes: true, credentials: true, credentialsKeyId: true },
  });
  if (!integration) return;
  const collector = new Collector(config.resourceLimit);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new IntegrationError(`The sync ran longer than ${config.syncTimeoutSeconds} seconds`)), config.syncTimeoutSeconds * 1000);
  const lost = new AbortController();
  const signal = AbortSignal.any([timeout.signal, lost.signal, ...(stopping ? [stopping] : [])]);
  const heartbeat = setInterval(() => {
    void sql<{ id: string }>`
      UPDATE sync_jobs SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS}), progress = ${JSON.stringify(collector.progress)}::jsonb
       WHERE id = ${job.id} AND lease_owner = ${workerId} AND status = 'running' RETURNING id`
      .then((rows) => {
        if (rows.length === 0) lost.abort(new IntegrationError("The sync was taken over or cancelled"));
      })
      .catch((error: unknown) => logger.warn({ err: error, jobId: job.id }, "sync lease renewal failed"));
  }, (LEASE_SECONDS * 1000) / 3);
  const context: SyncContext = {
    integration: integration as IntegrationRecord,
    signal,
    limit: config.resourceLimit,
    add: (resource) => collector.add(resource),
    progress: (type, read) => {
      collector.progress[type] = read;
    },
    audit: async (action, metadata = {}) => {
      await recordAudit(integrationAudit(action, { partnerId: job.partner_id, id: job.integration_id }, { type: "system", id: workerId }, { job_id: job.id, ...metadata }));
    },
  };
  let outcome: Outcome;
  try {
    await context.audit("sync_started", { attempt: job.attempts });
    await connectorFor(integration.provider).sync(context);
    outcome = { status: collector.truncated.size > 0 ? "partial" : "succeeded" };
  } catch (error) {
    if (timeout.signal.aborted) outcome = { status: "timed_out", error: `The sync ran longer than ${config.syncTimeoutSeconds} seconds; nothing was deleted` };
    else if (stopping?.aborted || lost.signal.aborted) {
      clearTimeout(timer);
      clearInterval(heartbeat);
      // Shutting down: hand the job back at once rather than waiting for the lease to run out.
      if (stopping?.aborted) await sql`UPDATE sync_jobs SET status = 'queued', lease_owner = NULL, lease_until = NULL WHERE id = ${job.id} AND lease_owner = ${workerId}`;
      return;
    } else if (error instanceof IntegrationError) outcome = { status: "failed", error: error.message };
    else {
      logger.error({ err: error, jobId: job.id, integrationId: job.integration_id }, "sync failed");
      outcome = { status: "failed", error: "The provider could not be read; the server log has the details" };
    }
  } finally {
    clearTimeout(timer);
    clearInterval(heartbeat);
  }
  // A timed-out run keeps what it read (nothing is deleted); a failed one stores nothing.
  try {
    await finishJob(job, workerId, outcome, [...collector.truncated], outcome.status === "failed" ? null : collector);
  } catch (error) {
    // Storing the result failed (a provider answer PostgreSQL refused, an outage): end the job as failed, so it is not
    // taken over and retried into the same wall, and the integration is free for the next sync.
    logger.error({ err: error, jobId: job.id, integrationId: job.integration_id }, "storing a sync's result failed");
    await finishJob(job, workerId, { status: "failed", error: "The sync's result could not be stored; the server log has the details" }, [], null);
  }
}

/**
 * Queues the scheduled syncs that are due (integrations with a sync interval whose next sync time passed) of approved
 * partners (a suspended partner's stored tokens are not used); an integration with an active job is skipped by the
 * unique constraint.
 * @returns how many jobs were queued
 */
export async function queueScheduledSyncs(): Promise<number> {
  const rows = await sql<{ id: string }>`
    WITH due AS (
      UPDATE integrations SET next_sync_at = now() + make_interval(mins => sync_interval_minutes)
       WHERE status = 'connected' AND sync_interval_minutes IS NOT NULL AND next_sync_at <= now()
         AND partner_id IN (SELECT id FROM partners WHERE status = 'approved')
      RETURNING id, partner_id)
    INSERT INTO sync_jobs (id, integration_id, partner_id, trigger, active_for, progress, counts, truncated)
    SELECT gen_random_uuid()::text, id, partner_id, 'scheduled', id, '{}', '{}', '{}' FROM due
    ON CONFLICT (active_for) DO NOTHING
    RETURNING id`;
  return rows.length;
}

/**
 * Runs queued jobs until none is left (tests, the CLI, and each worker tick).
 * @returns how many jobs ran
 */
export async function drainSyncJobs(workerId = `worker-${randomUUID()}`, stopping?: AbortSignal): Promise<number> {
  let ran = 0;
  while (!stopping?.aborted) {
    const job = await claimSyncJob(workerId);
    if (!job) break;
    await runSyncJob(job, workerId, stopping);
    ran += 1;
  }
  return ran;
}

/**
 * Starts this instance's sync worker: every `pollMs` it queues due scheduled syncs and runs claimable jobs, one at a
 * time. Every instance runs one; SKIP LOCKED keeps them off each other's jobs.
 * @returns stop(): stops claiming, hands a running job back to the queue, and resolves when the loop has ended
 */
export function startSyncWorker(options: { pollMs?: number } = {}): { stop(): Promise<void>; workerId: string } {
  const workerId = `worker-${randomUUID()}`;
  const stopping = new AbortController();
  const pollMs = options.pollMs ?? 1000;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await queueScheduledSyncs();
        await drainSyncJobs(workerId, stopping.signal);
      } catch (error) {
        logger.warn({ err: error }, "sync worker tick failed");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        stopping.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  })();
  return {
    workerId,
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
