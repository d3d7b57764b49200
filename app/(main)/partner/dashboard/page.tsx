import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { Card } from "@/components/card";
import { formatDate, formatDateTime } from "@/components/format";
import { listAuditEvents } from "@/lib/audit/record-audit";
import { providerLabel } from "@/lib/auth/profile";
import { page, loadPageData } from "@/lib/next/pages";
import { getPartner, listPartnerMembers } from "@/lib/partners/partner";
import { listGroups } from "@/lib/groups/groups";
import { listTenantApiKeys } from "@/lib/api-keys/api-keys";
import Link from "next/link";

export const metadata: Metadata = { title: "Partner dashboard" };

/** Server-rendered for the session user: the data is here on first paint, no client fetch waits on a key. */
export default page(memberPage("/partner/dashboard"), async ({ principal: user }) => {
  const { partner, members, events, groups, apiKeys } = await loadPageData("/partner/dashboard", async () => {
    const [partner, members, events, groups, apiKeys] = await Promise.all([
      getPartner(user.partnerId),
      listPartnerMembers(user.partnerId, { pageSize: 50 }),
      listAuditEvents({ partnerId: user.partnerId, limit: 10 }),
      listGroups(user.partnerId, { pageSize: 5 }),
      listTenantApiKeys(user.partnerId),
    ]);
    return { partner, members, events, groups, apiKeys };
  });
  const activeKeys = apiKeys.filter((k) => k.status === "active");

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm font-medium uppercase tracking-wide text-slate-500">Partner dashboard</p>
        <h1 className="text-2xl font-bold tracking-tight" data-testid="partner-name">
          {partner.name}
        </h1>
      </div>
      <Card title="Organisation">
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Status</dt>
          <dd data-testid="partner-status">approved</dd>
          <dt className="text-slate-600">Domain</dt>
          <dd>{partner.primaryDomain ?? "—"}</dd>
          <dt className="text-slate-600">Signs in with</dt>
          <dd>{partner.provider ? providerLabel(partner.provider) : "—"}</dd>
          <dt className="text-slate-600">Approved</dt>
          <dd>{formatDate(partner.approvedAt)}</dd>
        </dl>
      </Card>
      <Card title={`Members (${members.total})`}>
        <table className="w-full text-left text-sm">
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-2 font-medium">Name</th>
              <th scope="col" className="py-2 font-medium">Email</th>
              <th scope="col" className="py-2 font-medium">Role</th>
              <th scope="col" className="py-2 font-medium">Last sign-in</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="member-list">
            {members.members.map((member) => (
              <tr key={member.id}>
                <td className="py-2">{member.name ?? "—"}</td>
                <td className="py-2">{member.email}</td>
                <td className="py-2">{member.partnerRole}</td>
                <td className="py-2">{formatDateTime(member.lastSignInAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title={`Groups (${groups.total})`}>
        {groups.groups.length === 0 ? (
          <p className="text-slate-600">
            No groups yet. <Link href="/partner/groups" className="text-brand-700 underline">Create one</Link>.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="group-list">
            {groups.groups.map((group) => (
              <li key={group.id} className="flex justify-between py-2">
                <Link href={`/partner/groups/${group.id}`} className="text-brand-700 hover:underline">
                  {group.name}
                </Link>
                <span className="text-slate-600">{group.memberCount} members</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={`API keys (${activeKeys.length} active)`}>
        {activeKeys.length === 0 ? (
          <p className="text-slate-600">
            No active API keys. <Link href="/partner/api-keys" className="text-brand-700 underline">Create one</Link> for an AI tool or a script.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="api-key-list">
            {activeKeys.slice(0, 10).map((key) => (
              <li key={key.id} className="flex justify-between py-2">
                <span>
                  {key.name} <span className="font-mono text-slate-500">{key.keyPrefix}…</span>
                </span>
                <span className="text-slate-600">
                  {key.usageCount} requests · last used {formatDateTime(key.lastUsedAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Recent activity">
        {events.length === 0 ? (
          <p className="text-slate-600">Nothing has happened yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {events.map((event) => (
              <li key={event.id} className="flex justify-between py-2">
                <span className="font-mono text-slate-800">{event.action}</span>
                <span className="text-slate-600">{formatDateTime(event.occurredAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
});
