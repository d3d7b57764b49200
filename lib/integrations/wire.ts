/** JSON shapes of the integrations API (snake_case on the wire; never credentials). */
import type { RequestMeta } from "@/lib/integrations/audit";
import type { IntegrationView, ResourceView } from "@/lib/integrations/integrations";
import type { SyncJobView } from "@/lib/integrations/sync";

export function integrationJson(i: IntegrationView) {
  return {
    id: i.id,
    provider: i.provider,
    name: i.name,
    status: i.status,
    external_id: i.externalId,
    role_arn: i.roleArn,
    account_id: i.accountId,
    directory: i.directory,
    granted_scopes: i.grantedScopes,
    sync_interval_minutes: i.syncIntervalMinutes,
    next_sync_at: i.nextSyncAt,
    last_sync_at: i.lastSyncAt,
    last_sync_status: i.lastSyncStatus,
    active_job_id: i.activeJobId,
    resource_count: i.resourceCount,
    risk_counts: i.riskCounts,
    created_at: i.createdAt,
  };
}

export function syncJobJson(j: SyncJobView) {
  return {
    id: j.id,
    integration_id: j.integrationId,
    status: j.status,
    trigger: j.trigger,
    progress: j.progress,
    counts: j.counts,
    truncated: j.truncated,
    deleted: j.deleted,
    error: j.error,
    attempts: j.attempts,
    created_at: j.createdAt,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
  };
}

export function resourceJson(r: ResourceView) {
  return { id: r.id, type: r.type, external_id: r.externalId, name: r.name, email: r.email, risk_level: r.riskLevel, risk_reasons: r.riskReasons, attributes: r.attributes, updated_at: r.updatedAt };
}

/** The audit context of a request: its address, user agent and id. */
export function requestMeta(request: Request, context: { ip: string; requestId: string }): RequestMeta {
  return { ip: context.ip, userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null, requestId: context.requestId };
}
