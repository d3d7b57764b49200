import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { RiskBadge } from "@/components/risk-badge";
import { memberPage } from "@/lib/auth/policies";
import { listIntegrations, PROVIDER_NAMES, STATUS_NAMES } from "@/lib/integrations/integrations";
import { RISK_LEVELS } from "@/lib/integrations/types";
import { readNotice } from "@/lib/next/notice";
import { page, loadPageData } from "@/lib/next/pages";

export const metadata: Metadata = { title: "Integrations" };

const PAGE_SIZE = 25;

/** The partner's clouds and directories: status, last sync, risk counts. Every member reads; owners and admins add. */
export default page(
  memberPage("/partner/integrations"),
  async ({ principal: user, searchParams }) => {
    const pageNumber = Math.min(Math.max(Number.parseInt(searchParams.page ?? "1", 10) || 1, 1), 10_000);
    const { integrations, total } = await loadPageData("/partner/integrations", () => listIntegrations(user.partnerId, { page: pageNumber, pageSize: PAGE_SIZE }));
    const manager = user.partnerRole === "owner" || user.partnerRole === "admin";
    // `?error=<id>` names a refusal; its text comes from Gatehouse's own one-minute cookie, never the URL.
    const notice = searchParams.error ? await readNotice(searchParams.error) : null;
    return (
      <div className="space-y-6">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div>
            <h1 className="text-2xl font-bold tracking-tight">Integrations</h1>
            <p className="max-w-3xl text-slate-700">Connect your AWS accounts and your Google Workspace, Okta or Entra ID directory to see who has access to them, and which of those accounts are risky.</p>
          </div>
          {manager ? (
            <Link href="/partner/integrations/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
              Add an integration
            </Link>
          ) : null}
        </div>
        {notice ? (
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800">
            {notice}
          </p>
        ) : null}
        {searchParams.disconnected ? (
          <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-800">
            The integration was disconnected and its data deleted.
          </p>
        ) : null}
        {integrations.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
            No integrations yet.{manager ? " Add one to see who has access to your clouds and directories." : " An owner or admin of your organisation can add one."}
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" aria-label="Integrations">
            {integrations.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center justify-between gap-4 p-4 text-sm" data-testid="integration-row">
                <div className="space-y-1">
                  <Link href={`/partner/integrations/${encodeURIComponent(i.id)}`} className="font-semibold text-brand-700 hover:underline">
                    {i.name}
                  </Link>
                  <p className="text-slate-600">
                    {PROVIDER_NAMES[i.provider]} · {STATUS_NAMES[i.status]} · {i.lastSyncAt ? `last sync ${formatDateTime(i.lastSyncAt)} (${i.lastSyncStatus?.replace("_", " ")})` : "never synced"}
                    {i.activeJobId ? " · syncing now" : ""}
                  </p>
                </div>
                <div className="flex gap-1" aria-label="Resources by risk">
                  {RISK_LEVELS.map((level) => (
                    <RiskBadge key={level} level={level} count={i.riskCounts[level]} />
                  ))}
                </div>
              </li>
            ))}
          </ul>
        )}
        <Pagination page={pageNumber} pageSize={PAGE_SIZE} total={total} hrefFor={(p) => `/partner/integrations?page=${p}`} />
      </div>
    );
  },
  { searchParams: ["page", "error", "disconnected"] },
);
