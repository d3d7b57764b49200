import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { page, loadPageData } from "@/lib/next/pages";
import { countPartnersByStatusAsAdmin, listPartnersAsAdmin, type PartnerStatus } from "@/lib/partners/approval";
import { PartnerStatusActions } from "./partner-status-actions";

export const metadata: Metadata = { title: "Partners" };

const TABS: { key: string; status: PartnerStatus; label: string }[] = [
  { key: "pending", status: "pending_approval", label: "Pending" },
  { key: "approved", status: "approved", label: "Approved" },
  { key: "rejected", status: "rejected", label: "Rejected" },
  { key: "suspended", status: "suspended", label: "Suspended" },
];

export default page(adminPage("/admin/partners"), async ({ principal: { admin }, searchParams }) => {
  const params = searchParams;
  const tab = TABS.find((t) => t.key === params.tab) ?? TABS[0]!;
  const q = params.q?.trim().slice(0, 200) || undefined;
  const page = Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1);
  const { list, counts } = await loadPageData("/admin/partners", async () => ({
    list: await listPartnersAsAdmin(admin, { status: tab.status, q, page }),
    counts: await countPartnersByStatusAsAdmin(admin),
  }));
  const href = (overrides: { tab?: string; page?: number }) => {
    const search = new URLSearchParams({ tab: overrides.tab ?? tab.key, ...(q ? { q } : {}), ...(overrides.page && overrides.page > 1 ? { page: String(overrides.page) } : {}) });
    return `/admin/partners?${search}`;
  };

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Partners</h1>
      <div className="flex flex-wrap items-center justify-between gap-4">
        <nav aria-label="Partner status" className="flex gap-1 rounded-lg bg-slate-200 p-1 text-sm">
          {TABS.map((t) => (
            <Link
              key={t.key}
              href={href({ tab: t.key })}
              aria-current={t.key === tab.key ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 ${t.key === tab.key ? "bg-white font-medium shadow-sm" : "text-slate-700 hover:text-slate-900"}`}
            >
              {t.label} ({counts[t.status]})
            </Link>
          ))}
        </nav>
        <form role="search" action="/admin/partners" className="flex gap-2">
          <input type="hidden" name="tab" value={tab.key} />
          <label className="sr-only" htmlFor="partner-search">Search partners</label>
          <input id="partner-search" name="q" defaultValue={q} placeholder="Name or domain" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm">Search</button>
        </form>
      </div>

      {list.partners.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
          {q ? `No ${tab.label.toLowerCase()} partners match “${q}”.` : `No ${tab.label.toLowerCase()} partners.`}
        </p>
      ) : (
        <ul className="space-y-3" aria-label={`${tab.label} partners`}>
          {list.partners.map((partner) => (
            <li key={partner.id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid={`partner-${partner.primaryDomain ?? partner.id}`}>
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div className="space-y-1">
                  <h2 className="font-semibold">
                    <Link href={`/admin/partners/${encodeURIComponent(partner.id)}`} className="hover:text-brand-700 hover:underline">
                      {partner.name}
                    </Link>
                  </h2>
                  <p className="text-sm text-slate-600">
                    {partner.primaryDomain ?? "no domain"} · {partner.memberCount} member{partner.memberCount === 1 ? "" : "s"} · owner {partner.owner?.email ?? "—"} · signed up {formatDateTime(partner.createdAt)}
                  </p>
                  {partner.status === "approved" ? (
                    <p className="text-sm text-slate-600" data-testid="approval">
                      {partner.autoApproved ? "Auto-approved by domain" : `Approved by ${partner.approvedBy?.email ?? "an operator"}`} · {formatDateTime(partner.approvedAt)}
                    </p>
                  ) : null}
                  {partner.status === "rejected" ? <p className="text-sm text-slate-600">Rejected {formatDateTime(partner.rejectedAt)}: {partner.rejectionReason}</p> : null}
                  {partner.status === "suspended" ? <p className="text-sm text-slate-600">Suspended {formatDateTime(partner.suspendedAt)}: {partner.suspensionReason}</p> : null}
                </div>
                <PartnerStatusActions partner={partner} />
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={list.page} pageSize={list.pageSize} total={list.total} hrefFor={(p) => href({ page: p })} />
    </div>
  );
}, { searchParams: ["tab", "q", "page"] });
