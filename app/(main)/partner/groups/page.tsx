import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { SimpleActionForm } from "@/components/simple-action-form";
import { listGroups } from "@/lib/groups/groups";
import { page, loadPageData } from "@/lib/next/pages";
import { createGroupAction } from "./actions";

export const metadata: Metadata = { title: "Groups" };

export default page(memberPage("/partner/groups"), async ({ principal: user, searchParams }) => {
  const page = Math.max(1, Number.parseInt(searchParams.page ?? "1", 10) || 1);
  const { groups, total } = await loadPageData("/partner/groups", () => listGroups(user.partnerId, { page, pageSize: 25 }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Groups</h1>
      <p className="max-w-3xl text-slate-700">
        Groups of your colleagues. Your services check membership with <code className="font-mono">GET /api/auth/groups/&#123;id&#125;/members/&#123;userId&#125;</code>.
      </p>
      <SimpleActionForm action={createGroupAction} submitLabel="Create group" pendingLabel="Creating…">
        <label className="block text-sm">
          <span className="text-slate-700">Name</span>
          <input name="name" required maxLength={100} className="mt-1 block w-56 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Description (optional)</span>
          <input name="description" maxLength={500} className="mt-1 block w-80 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
      </SimpleActionForm>
      {groups.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No groups yet. Create the first one above.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Groups">
          {groups.map((group) => (
            <li key={group.id} className="flex items-center justify-between p-4">
              <div>
                <Link href={`/partner/groups/${group.id}`} className="font-medium text-brand-700 hover:underline">
                  {group.name}
                </Link>
                {group.description ? <p className="text-sm text-slate-600">{group.description}</p> : null}
              </div>
              <p className="text-sm text-slate-600">
                {group.memberCount} member{group.memberCount === 1 ? "" : "s"} · created {formatDate(group.createdAt)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={25} total={total} hrefFor={(p) => `/partner/groups?page=${p}`} />
    </div>
  );
}, { searchParams: ["page"] });
