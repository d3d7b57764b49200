import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { SimpleActionForm } from "@/components/simple-action-form";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDate } from "@/components/format";
import { page, loadPageData } from "@/lib/next/pages";
import { listAllowlistAsAdmin } from "@/lib/partners/allowlist";
import { allowDomainAction, removeAllowlistEntryAction } from "../actions";

export const metadata: Metadata = { title: "Allowlist" };

export default page(adminPage("/admin/partners/domains"), async ({ principal: { admin } }) => {
  const entries = await loadPageData("/admin/partners/domains", () => listAllowlistAsAdmin(admin));
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Domain allowlist</h1>
      <p className="max-w-2xl text-slate-700">
        A new organisation whose email domain (Google Workspace domain) or Microsoft Entra tenant id is listed here is approved
        at its first sign-in, without waiting for an administrator. Removing an entry does not affect partners already approved.
      </p>
      <SimpleActionForm action={allowDomainAction} submitLabel="Add to allowlist" pendingLabel="Adding…">
        <label className="block text-sm">
          <span className="text-slate-700">Domain or Entra tenant id</span>
          <input name="value" required maxLength={253} placeholder="acme.com" className="mt-1 block w-72 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
      </SimpleActionForm>
      {entries.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">The allowlist is empty: every new organisation waits for approval.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Allowlisted domains and tenants">
          {entries.map((entry) => (
            <li key={entry.id} className="flex items-center justify-between gap-4 p-4">
              <div>
                <p className="font-mono">{entry.value}</p>
                <p className="text-sm text-slate-600">
                  {entry.kind === "email_domain" ? "Email domain" : "Entra tenant"} · added {formatDate(entry.createdAt)}
                </p>
              </div>
              <ConfirmAction action={removeAllowlistEntryAction} fields={{ entryId: entry.id }} label="Remove" confirmLabel="Confirm removal" prompt={`Remove ${entry.value}? New signups from it will wait for approval.`} tone="danger" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
