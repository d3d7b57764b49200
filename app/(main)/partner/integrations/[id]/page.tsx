import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { RiskBadge } from "@/components/risk-badge";
import { SimpleActionForm } from "@/components/simple-action-form";
import { SyncBanner } from "@/components/sync-banner";
import { memberPage } from "@/lib/auth/policies";
import { getIntegration, listIntegrationAudit, listResources, PROVIDER_NAMES, resourceQuerySchema, STATUS_NAMES } from "@/lib/integrations/integrations";
import { listSyncJobs } from "@/lib/integrations/sync";
import { RESOURCE_TYPES, RISK_LEVELS } from "@/lib/integrations/types";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { disconnectIntegrationAction, syncNowAction, updateIntegrationAction } from "../actions";

export const metadata: Metadata = { title: "Integration" };

const FILTERS = ["type", "risk", "q", "page"] as const;

/**
 * One integration: its status, the live sync banner, what it found (risk badges, filters, pages), sync history and
 * audit trail. Every member reads; owners and admins sync, change and disconnect.
 */
export default page(
  memberPage("/partner/integrations/[id]"),
  async ({ principal: user, params, searchParams }) => {
    const path = `/partner/integrations/${encodeURIComponent(params.id)}`;
    const parsed = resourceQuerySchema.safeParse({ ...searchParams, page_size: 50 });
    const query = parsed.success ? parsed.data : resourceQuerySchema.parse({ page_size: 50 });
    const data = await loadPageData(path, () =>
      nullIfNotFound(
        Promise.all([
          getIntegration(user.partnerId, params.id),
          listResources(user.partnerId, params.id, query),
          listSyncJobs(user.partnerId, params.id, { pageSize: 10 }),
          listIntegrationAudit(user.partnerId, params.id, { limit: 30 }),
        ]).then(([integration, resources, jobs, audit]) => ({ integration, resources, jobs, audit })),
      ),
    );
    if (!data) notFound();
    const { integration, resources, jobs, audit } = data;
    const manager = user.partnerRole === "owner" || user.partnerRole === "admin";
    const latest = jobs.jobs[0];
    const filterHref = (next: Partial<Record<(typeof FILTERS)[number], string | number | undefined>>) => {
      const merged = { type: query.type, risk: query.risk, q: query.q, page: undefined as number | undefined, ...next };
      const search = new URLSearchParams(Object.entries(merged).filter(([, v]) => v !== undefined && v !== "") as [string, string][]);
      return `${path}${search.size ? `?${search}` : ""}`;
    };
    return (
      <div className="space-y-6">
        <p className="text-sm">
          <Link href="/partner/integrations" className="text-brand-700 hover:underline">
            ← Integrations
          </Link>
        </p>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="space-y-1">
            <h1 className="text-2xl font-bold tracking-tight">{integration.name}</h1>
            <p className="text-slate-700" data-testid="integration-status">
              {PROVIDER_NAMES[integration.provider]} · {STATUS_NAMES[integration.status]}
              {integration.accountId ? ` · account ${integration.accountId}` : ""}
              {integration.directory ? ` · ${integration.directory}` : ""}
            </p>
            <p className="text-sm text-slate-600">
              {integration.lastSyncAt ? `Last sync ${formatDateTime(integration.lastSyncAt)}` : "Never synced"}
              {integration.syncIntervalMinutes ? ` · syncs every ${integration.syncIntervalMinutes / 60} h` : " · syncs on request"}
            </p>
          </div>
          <div className="flex flex-wrap items-start gap-2">
            {manager && integration.status === "connected" ? (
              <SimpleActionForm action={syncNowAction} submitLabel="Sync now" pendingLabel="Queuing…" className="flex flex-col items-end gap-1">
                <input type="hidden" name="integrationId" value={integration.id} />
              </SimpleActionForm>
            ) : null}
            {manager && integration.status !== "connected" ? (
              <Link href={`${path}/setup`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                {integration.status === "pending" ? "Finish setup" : "Reconnect"}
              </Link>
            ) : null}
            {integration.lastSyncAt ? (
              <a href={`/api/integrations/${encodeURIComponent(integration.id)}/evidence`} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
                Download signed evidence
              </a>
            ) : null}
          </div>
        </div>
        {integration.status === "reconnect_needed" ? (
          <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
            {PROVIDER_NAMES[integration.provider]} no longer accepts Gatehouse&apos;s access (the consent was revoked or expired). An owner or admin must connect it again.
          </p>
        ) : null}
        {latest ? (
          <SyncBanner
            key={latest.id}
            integrationId={integration.id}
            jobId={latest.id}
            initial={{ status: latest.status, progress: latest.progress as Record<string, number>, counts: latest.counts as Record<string, number>, truncated: latest.truncated, error: latest.error }}
          />
        ) : integration.status === "connected" ? (
          <p className="text-sm text-slate-600">No sync has run yet.</p>
        ) : null}

        <section className="space-y-3" aria-labelledby="resources-heading">
          <div className="flex flex-wrap items-end justify-between gap-3">
            <h2 id="resources-heading" className="text-lg font-semibold">
              Who has access
            </h2>
            <div className="flex gap-1">
              {RISK_LEVELS.map((level) => (
                <Link key={level} href={filterHref({ risk: query.risk === level ? undefined : level })} aria-label={`Show ${level} risk only`}>
                  <RiskBadge level={level} count={integration.riskCounts[level]} />
                </Link>
              ))}
            </div>
          </div>
          <form method="get" className="flex flex-wrap items-end gap-2 text-sm" aria-label="Filter resources">
            <label>
              <span className="block text-slate-600">Type</span>
              <select name="type" defaultValue={query.type ?? ""} className="rounded-md border border-slate-300 p-1.5">
                <option value="">All</option>
                {RESOURCE_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="block text-slate-600">Risk</span>
              <select name="risk" defaultValue={query.risk ?? ""} className="rounded-md border border-slate-300 p-1.5">
                <option value="">All</option>
                {RISK_LEVELS.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="block text-slate-600">Name or email</span>
              <input name="q" defaultValue={query.q ?? ""} maxLength={200} className="rounded-md border border-slate-300 p-1.5" />
            </label>
            <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
              Filter
            </button>
          </form>
          {resources.resources.length === 0 ? (
            <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
              {integration.resourceCount === 0 ? "Nothing stored yet: resources appear after the first sync." : "No resource matches these filters."}
            </p>
          ) : (
            <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
              <table aria-label="Resources" className="w-full text-left text-sm">
                <thead className="bg-slate-50 text-slate-600">
                  <tr>
                    <th className="px-3 py-2 font-medium">Risk</th>
                    <th className="px-3 py-2 font-medium">Type</th>
                    <th className="px-3 py-2 font-medium">Name</th>
                    <th className="px-3 py-2 font-medium">Why</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {resources.resources.map((r) => (
                    <tr key={r.id} data-testid="resource-row">
                      <td className="px-3 py-2">
                        <RiskBadge level={r.riskLevel} />
                      </td>
                      <td className="px-3 py-2 text-slate-700">{r.type}</td>
                      <td className="px-3 py-2">
                        <span className="font-medium">{r.name}</span>
                        {r.email && r.email !== r.name ? <span className="block text-xs text-slate-500">{r.email}</span> : null}
                      </td>
                      <td className="px-3 py-2 text-slate-700">{r.riskReasons.join("; ") || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={resources.page} pageSize={resources.pageSize} total={resources.total} hrefFor={(p) => filterHref({ page: p })} />
        </section>

        <section className="space-y-2" aria-labelledby="history-heading">
          <h2 id="history-heading" className="text-lg font-semibold">
            Sync history
          </h2>
          {jobs.jobs.length === 0 ? (
            <p className="text-sm text-slate-600">No syncs yet.</p>
          ) : (
            <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white text-sm" aria-label="Sync history">
              {jobs.jobs.map((job) => (
                <li key={job.id} className="flex flex-wrap justify-between gap-2 p-3">
                  <span>
                    <span className="font-medium">{job.status.replace("_", " ")}</span> · {job.trigger} · {formatDateTime(job.createdAt)}
                  </span>
                  <span className="text-slate-600">
                    {Object.entries(job.counts)
                      .map(([type, n]) => `${n} ${type}s`)
                      .join(", ")}
                    {job.truncated.length ? ` · cut: ${job.truncated.join(", ")}` : ""}
                    {job.deleted ? ` · ${job.deleted} removed` : ""}
                    {job.error ? ` · ${job.error}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="space-y-2" aria-labelledby="audit-heading">
          <h2 id="audit-heading" className="text-lg font-semibold">
            Audit
          </h2>
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm" aria-label="Integration audit">
            {audit.map((event) => (
              <li key={event.id} className="flex flex-wrap justify-between gap-2 px-3 py-2">
                <span className="font-mono text-xs">{event.action}</span>
                <span className="text-slate-600">
                  {event.actorType}
                  {event.actorId ? `:${event.actorId.slice(0, 24)}` : ""} · {formatDateTime(event.occurredAt)}
                </span>
              </li>
            ))}
          </ul>
        </section>

        {manager ? (
          <section className="space-y-3" aria-labelledby="settings-heading">
            <h2 id="settings-heading" className="text-lg font-semibold">
              Settings
            </h2>
            <SimpleActionForm action={updateIntegrationAction} submitLabel="Save" pendingLabel="Saving…">
              <input type="hidden" name="integrationId" value={integration.id} />
              <label className="text-sm">
                <span className="block text-slate-600">Name</span>
                <input name="name" required maxLength={100} defaultValue={integration.name} className="rounded-md border border-slate-300 p-1.5" />
              </label>
              <label className="text-sm">
                <span className="block text-slate-600">Sync every (hours; empty: on request)</span>
                <input
                  name="sync_interval_hours"
                  type="number"
                  min={1}
                  max={168}
                  defaultValue={integration.syncIntervalMinutes ? integration.syncIntervalMinutes / 60 : ""}
                  className="w-24 rounded-md border border-slate-300 p-1.5"
                />
              </label>
            </SimpleActionForm>
            <ConfirmAction
              action={disconnectIntegrationAction}
              fields={{ integrationId: integration.id }}
              label="Disconnect and delete data"
              confirmLabel="Disconnect"
              prompt={`Disconnect ${integration.name}? Its credentials and the ${integration.resourceCount} resources found are deleted; the audit trail stays.`}
              tone="danger"
            />
          </section>
        ) : null}
      </div>
    );
  },
  { params: ["id"], searchParams: FILTERS },
);
