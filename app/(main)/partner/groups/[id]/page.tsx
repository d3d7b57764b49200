import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { SimpleActionForm } from "@/components/simple-action-form";
import { getGroup, listGroupMembers } from "@/lib/groups/groups";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { listPartnerMembers } from "@/lib/partners/partner";
import { addMemberAction, deleteGroupAction, removeMemberAction } from "../actions";

export const metadata: Metadata = { title: "Group" };

export default page(memberPage("/partner/groups/[id]"), async ({ principal: user, params }) => {
  const { id } = params;
  const path = `/partner/groups/${encodeURIComponent(id)}`;
  const data = await loadPageData(path, () =>
    nullIfNotFound(
      Promise.all([getGroup(user.partnerId, id), listGroupMembers(user.partnerId, id, { pageSize: 100 }), listPartnerMembers(user.partnerId, { pageSize: 100 })]).then(
        ([group, members, colleagues]) => ({ group, members, colleagues }),
      ),
    ),
  );
  if (!data) notFound();
  const { group, members, colleagues } = data;
  const memberIds = new Set(members.members.map((m) => m.userId));
  const candidates = colleagues.members.filter((c) => !memberIds.has(c.id));

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/partner/groups" className="text-brand-700 hover:underline">
          ← Groups
        </Link>
      </p>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">{group.name}</h1>
          {group.description ? <p className="text-slate-700">{group.description}</p> : null}
          <p className="font-mono text-xs text-slate-500">id {group.id}</p>
        </div>
        <ConfirmAction action={deleteGroupAction} fields={{ groupId: group.id }} label="Delete group" confirmLabel="Confirm delete" prompt={`Delete ${group.name} and its ${group.memberCount} membership(s)?`} tone="danger" />
      </div>
      {candidates.length > 0 ? (
        <SimpleActionForm action={addMemberAction} submitLabel="Add member" pendingLabel="Adding…">
          <input type="hidden" name="groupId" value={group.id} />
          <label className="block text-sm">
            <span className="text-slate-700">Colleague</span>
            <select name="userId" className="mt-1 block w-72 rounded-md border border-slate-300 px-3 py-1.5">
              {candidates.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.email}
                </option>
              ))}
            </select>
          </label>
        </SimpleActionForm>
      ) : (
        <p className="text-sm text-slate-600">Everyone in your organisation is already in this group.</p>
      )}
      {members.members.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No members yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Group members">
          {members.members.map((member) => (
            <li key={member.userId} className="flex items-center justify-between gap-4 p-4" data-testid={`member-${member.email}`}>
              <div>
                <p className="font-medium">{member.email}</p>
                <p className="text-sm text-slate-600">
                  user id <span className="font-mono">{member.userId}</span> · added {formatDateTime(member.addedAt)}
                </p>
              </div>
              <ConfirmAction action={removeMemberAction} fields={{ groupId: group.id, userId: member.userId }} label="Remove" confirmLabel="Confirm removal" prompt={`Remove ${member.email} from ${group.name}?`} tone="danger" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}, { params: ["id"] });
