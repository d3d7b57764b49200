import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { ZodError } from "zod";
import { AuditTable } from "@/components/audit-table";
import { searchAuditEventsAsAdmin, type AuditPage } from "@/lib/audit/search";
import { AppError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { page, loadPageData } from "@/lib/next/pages";

export const metadata: Metadata = { title: "Audit log" };

const FILTERS = [
  { name: "partner_id", label: "Partner id", placeholder: "clx…" },
  { name: "actor", label: "Actor", placeholder: "email, user id or system" },
  { name: "action", label: "Action", placeholder: "partner.approved or partner.*" },
  { name: "target", label: "Target", placeholder: "id or type:id" },
] as const;
type FilterName = (typeof FILTERS)[number]["name"] | "from" | "to";

export default page(
  adminPage("/admin/audit"),
  async ({ principal: { admin }, searchParams }) => {
    const filters = Object.fromEntries(Object.entries(searchParams).filter(([name, value]) => name !== "cursor" && value)) as Partial<Record<FilterName, string>>;
    let result: AuditPage | null = null;
    let problem: string | null = null;
    try {
      result = await loadPageData("/admin/audit", () => searchAuditEventsAsAdmin(admin, { ...filters, cursor: searchParams.cursor }));
    } catch (error) {
      // Bad filters, dates or cursors are the admin's typo: say which, never a 500.
      if (error instanceof ZodError) problem = describeZodError(error);
      else if (error instanceof AppError && error.status === 400) problem = error.message;
      else throw error;
    }
    const query = new URLSearchParams(filters);
    const isFiltered = query.size > 0;

    return (
      <div className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-4">
          <h1 className="text-2xl font-bold tracking-tight">Audit log</h1>
          {problem ? null : (
            <a href={`/api/admin/audit/export?${query}`} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
              Export CSV
            </a>
          )}
        </div>
        <form role="search" action="/admin/audit" className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
          {FILTERS.map((filter) => (
            <label key={filter.name} className="block">
              <span className="text-slate-700">{filter.label}</span>
              <input name={filter.name} defaultValue={filters[filter.name]} placeholder={filter.placeholder} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" />
            </label>
          ))}
          <label className="block">
            <span className="text-slate-700">From (UTC)</span>
            <input name="from" type="date" defaultValue={filters.from} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="block">
            <span className="text-slate-700">To (UTC, inclusive)</span>
            <input name="to" type="date" defaultValue={filters.to} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <div className="flex items-end gap-2">
            <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
              Search
            </button>
            {isFiltered ? (
              <Link href="/admin/audit" className="rounded-md border border-slate-300 px-3 py-1.5">
                Clear
              </Link>
            ) : null}
          </div>
        </form>

        {problem ? (
          <p role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-red-800">
            {problem}
          </p>
        ) : result!.events.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
            {searchParams.cursor ? "No older events." : isFiltered ? "No audit events match these filters." : "No audit events yet."}
          </p>
        ) : (
          <AuditTable events={result!.events} label="Audit events" />
        )}
        <nav aria-label="Pagination" className="flex justify-end gap-2 text-sm">
          {searchParams.cursor ? (
            <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={`/admin/audit?${query}`}>
              Newest
            </Link>
          ) : null}
          {result?.nextCursor ? (
            <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={`/admin/audit?${new URLSearchParams({ ...filters, cursor: result.nextCursor })}`}>
              Older events
            </Link>
          ) : null}
        </nav>
      </div>
    );
  },
  { searchParams: ["partner_id", "actor", "action", "target", "from", "to", "cursor"] },
);
