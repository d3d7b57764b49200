import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { SimpleActionForm } from "@/components/simple-action-form";
import { page, loadPageData } from "@/lib/next/pages";
import { listClients } from "@/lib/portal/clients";
import { createClientAction } from "./actions";

export const metadata: Metadata = { title: "Clients" };

export default page(memberPage("/partner/clients"), async ({ principal: user, searchParams }) => {
  const page = Math.max(1, Number.parseInt(searchParams.page ?? "1", 10) || 1);
  const { clients, total } = await loadPageData("/partner/clients", () => listClients(user.partnerId, { page, pageSize: 25 }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Clients</h1>
      <p className="max-w-3xl text-slate-700">Your customers see their projects in the client portal through links you send them. No account needed.</p>
      <SimpleActionForm action={createClientAction} submitLabel="Create client" pendingLabel="Creating…">
        <label className="block text-sm">
          <span className="text-slate-700">Client name</span>
          <input name="name" required minLength={2} maxLength={200} className="mt-1 block w-72 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
      </SimpleActionForm>
      {clients.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No clients yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Clients">
          {clients.map((client) => (
            <li key={client.id} className="flex items-center justify-between p-4">
              <div>
                <Link href={`/partner/clients/${client.id}`} className="font-medium text-brand-700 hover:underline">
                  {client.name}
                </Link>
                {client.isPreview ? <span className="ml-2 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">preview</span> : null}
                {!client.active ? <span className="ml-2 rounded bg-slate-200 px-2 py-0.5 text-xs">deactivated</span> : null}
              </div>
              <p className="text-sm text-slate-600">
                {client.projectCount} project{client.projectCount === 1 ? "" : "s"} · since {formatDate(client.createdAt)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={25} total={total} hrefFor={(p) => `/partner/clients?page=${p}`} />
    </div>
  );
}, { searchParams: ["page"] });
