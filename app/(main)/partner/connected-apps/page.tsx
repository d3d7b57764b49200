import type { Metadata } from "next";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { definePolicy } from "@/lib/auth/policy";
import { page, loadPageData } from "@/lib/next/pages";
import { listPartnerGrants } from "@/lib/oauth/authorization";
import { describeDelegatedScope } from "@/lib/oauth/authorization";
import { disconnectPartnerAppAction } from "./actions";

export const metadata: Metadata = { title: "Connected apps" };

const PAGE_SIZE = 50;

/** Every app connected in the partner: its owners and admins only (other members get the 403 page). */
export default page(
  definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "app-page", path: "/partner/connected-apps" }),
  async ({ principal: user, searchParams }) => {
    const pageNumber = Math.min(Math.max(Number.parseInt(searchParams.page ?? "1", 10) || 1, 1), 10_000);
    const { grants, total } = await loadPageData("/partner/connected-apps", () => listPartnerGrants(user.partnerId, { page: pageNumber, pageSize: PAGE_SIZE }));
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-bold tracking-tight">Connected apps</h1>
        <p className="max-w-3xl text-slate-700">
          Applications (MCP clients, IDEs) the people of your organisation have allowed to act as them. Disconnecting one ends its access at its next request; the person
          can connect it again.
        </p>
        {grants.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">Nobody in your organisation has connected an app yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" aria-label="Connected apps">
            {grants.map((grant) => (
              <li key={grant.id} className="flex flex-wrap items-start justify-between gap-4 p-4 text-sm" data-testid="partner-grant">
                <div className="space-y-1">
                  <p className="font-semibold">{grant.client.name}</p>
                  <p className="text-slate-700">{grant.user.email ?? grant.user.name ?? "Unknown person"}</p>
                  <p className="text-slate-600">Can: {grant.scopes.map(describeDelegatedScope).join(" · ")}</p>
                  <p className="text-slate-600">
                    Connected {formatDateTime(grant.createdAt)} · last used {grant.lastUsedAt ? formatDateTime(grant.lastUsedAt) : "never"}
                  </p>
                </div>
                <ConfirmAction
                  action={disconnectPartnerAppAction}
                  fields={{ grantId: grant.id }}
                  label="Disconnect"
                  confirmLabel="Confirm disconnect"
                  prompt={`Disconnect ${grant.client.name} for ${grant.user.email ?? "this person"}?`}
                  tone="danger"
                />
              </li>
            ))}
          </ul>
        )}
        <Pagination page={pageNumber} pageSize={PAGE_SIZE} total={total} hrefFor={(p) => `/partner/connected-apps?page=${p}`} />
      </div>
    );
  },
  { searchParams: ["page"] },
);
