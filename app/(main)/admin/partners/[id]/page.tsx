import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AuditTable } from "@/components/audit-table";
import { formatDateTime } from "@/components/format";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { getPartnerDetailAsAdmin } from "@/lib/partners/admin-detail";
import { PartnerStatusActions } from "../partner-status-actions";

export const metadata: Metadata = { title: "Partner" };

const STATUS_LABEL = { pending_approval: "Pending approval", approved: "Approved", rejected: "Rejected", suspended: "Suspended" } as const;

function Section({ title, count, empty, children }: { title: string; count: number; empty: string; children: ReactNode }) {
  return (
    <section className="space-y-2" aria-label={title}>
      <h2 className="text-lg font-semibold">
        {title} <span className="text-sm font-normal text-slate-500">({count})</span>
      </h2>
      {count === 0 ? <p className="rounded-xl border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">{empty}</p> : children}
    </section>
  );
}

const listClass = "divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm";

export default page(
  adminPage("/admin/partners/[id]"),
  async ({ principal: { admin }, params }) => {
    const detail = await loadPageData(`/admin/partners/${params.id}`, () => nullIfNotFound(getPartnerDetailAsAdmin(admin, params.id)));
    if (!detail) notFound();
    const { partner, members, oauthClients, apiKeys, portalClients, statusHistory, recentAudit } = detail;
    const auditHref = `/admin/audit?partner_id=${encodeURIComponent(partner.id)}`;

    return (
      <div className="space-y-6">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="space-y-1">
            <p className="text-sm">
              <Link href="/admin/partners" className="text-brand-700 hover:underline">
                ← Partners
              </Link>
            </p>
            <h1 className="text-2xl font-bold tracking-tight">{partner.name}</h1>
            <p className="text-sm text-slate-600" data-testid="partner-status">
              {STATUS_LABEL[partner.status]} · {partner.primaryDomain ?? "no domain"} · owner {partner.owner?.email ?? "—"} · signed up {formatDateTime(partner.createdAt)}
            </p>
            {partner.status === "rejected" ? <p className="text-sm text-slate-600">Rejected {formatDateTime(partner.rejectedAt)}: {partner.rejectionReason}</p> : null}
            {partner.status === "suspended" ? <p className="text-sm text-slate-600">Suspended {formatDateTime(partner.suspendedAt)}: {partner.suspensionReason}</p> : null}
          </div>
          <PartnerStatusActions partner={partner} />
        </div>

        <Section title="Members" count={members.length} empty="No members yet.">
          <ul className={listClass}>
            {members.map((m) => (
              <li key={m.id} className="flex justify-between gap-4 px-4 py-2">
                <span>
                  {m.email ?? "(no email)"} {m.name ? <span className="text-slate-600">· {m.name}</span> : null}
                </span>
                <span className="text-slate-600">
                  {m.partnerRole ?? "member"} · last sign-in {formatDateTime(m.lastSignInAt)}
                </span>
              </li>
            ))}
          </ul>
          <p className="text-sm">
            <Link className="text-brand-700 hover:underline" href={`/admin/users?partner_id=${encodeURIComponent(partner.id)}`}>
              Manage these users
            </Link>
          </p>
        </Section>

        <Section title="OAuth clients" count={oauthClients.length} empty="No OAuth clients.">
          <ul className={listClass}>
            {oauthClients.map((c) => (
              <li key={c.id} className="flex justify-between gap-4 px-4 py-2">
                <span>
                  {c.name} <span className="font-mono text-xs text-slate-600">{c.clientId}</span>
                </span>
                <span className="text-slate-600">
                  {c.allowedScopes.join(" ")} · {c.disabledAt ? `disabled ${formatDateTime(c.disabledAt)}` : "enabled"}
                </span>
              </li>
            ))}
          </ul>
        </Section>

        <Section title="API keys" count={apiKeys.length} empty="No API keys.">
          <ul className={listClass}>
            {apiKeys.map((k) => (
              <li key={k.id} className="flex justify-between gap-4 px-4 py-2">
                <span>
                  {k.name} <span className="font-mono text-xs text-slate-600">{k.keyPrefix}…</span>
                </span>
                <span className="text-slate-600">
                  {k.scopes.join(" ")} · {k.revokedAt ? `revoked ${formatDateTime(k.revokedAt)}` : `last used ${formatDateTime(k.lastUsedAt)}`}
                </span>
              </li>
            ))}
          </ul>
        </Section>

        <Section title="Portal clients" count={portalClients.length} empty="No client-portal clients.">
          <ul className={listClass}>
            {portalClients.map((c) => (
              <li key={c.id} className="flex justify-between gap-4 px-4 py-2">
                <span>{c.name}</span>
                <span className="text-slate-600">
                  {c.active ? "active" : "inactive"} · since {formatDateTime(c.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        </Section>

        <Section title="Status history" count={statusHistory.length} empty="No status changes recorded.">
          <AuditTable events={statusHistory} label="Status history" />
        </Section>

        <Section title="Latest audit events" count={recentAudit.length} empty="No audit events for this partner.">
          <AuditTable events={recentAudit} label="Latest audit events" />
          <p className="text-sm">
            <Link className="text-brand-700 hover:underline" href={auditHref}>
              All audit events of {partner.name}
            </Link>
          </p>
        </Section>
      </div>
    );
  },
  { params: ["id"] },
);
