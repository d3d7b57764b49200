import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { ZodError } from "zod";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { listUsersAsAdmin } from "@/lib/auth/users";
import { AppError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { page, loadPageData } from "@/lib/next/pages";
import { demoteUserAction, promoteUserAction } from "./actions";

export const metadata: Metadata = { title: "Users" };

const ROLES = [
  { value: "", label: "Every role" },
  { value: "admin", label: "Admins" },
  { value: "partner", label: "Partner staff" },
] as const;

export default page(
  adminPage("/admin/users"),
  async ({ principal: { admin }, searchParams }) => {
    const filters = Object.fromEntries(Object.entries({ role: searchParams.role, partner_id: searchParams.partner_id }).filter(([, v]) => v)) as { role?: string; partner_id?: string };
    let list: Awaited<ReturnType<typeof listUsersAsAdmin>> | null = null;
    let problem: string | null = null;
    try {
      list = await loadPageData("/admin/users", () => listUsersAsAdmin(admin, { role: filters.role as "admin" | undefined, partnerId: filters.partner_id, cursor: searchParams.cursor }));
    } catch (error) {
      if (error instanceof ZodError) problem = describeZodError(error);
      else if (error instanceof AppError && error.status === 400) problem = error.message;
      else throw error;
    }
    const query = new URLSearchParams(filters);

    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold tracking-tight">Users</h1>
        <form role="search" action="/admin/users" className="flex flex-wrap items-end gap-3 text-sm">
          <label className="block">
            <span className="text-slate-700">Role</span>
            <select name="role" defaultValue={filters.role ?? ""} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5">
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <label className="block">
            <span className="text-slate-700">Partner id</span>
            <input name="partner_id" defaultValue={filters.partner_id} className="mt-1 block rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5">
            Filter
          </button>
        </form>

        {problem ? (
          <p role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-red-800">
            {problem}
          </p>
        ) : list!.users.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No users match.</p>
        ) : (
          <ul className="space-y-2" aria-label="Users">
            {list!.users.map((user) => (
              <li key={user.id} className="flex flex-wrap items-start justify-between gap-4 rounded-xl border border-slate-200 bg-white p-4" data-testid={`user-${user.email ?? user.id}`}>
                <div className="space-y-1 text-sm">
                  <p className="font-medium">
                    {user.email ?? "(no email)"} {user.name ? <span className="text-slate-600">· {user.name}</span> : null}
                  </p>
                  <p className="text-slate-600">
                    {user.role === "admin" ? "Admin" : "Partner staff"}
                    {user.partner ? (
                      <>
                        {" · "}
                        <Link className="text-brand-700 hover:underline" href={`/admin/partners/${encodeURIComponent(user.partner.id)}`}>
                          {user.partner.name}
                        </Link>
                        {user.partnerRole ? ` (${user.partnerRole})` : null}
                      </>
                    ) : null}
                    {" · "}joined {formatDateTime(user.createdAt)} · last sign-in {formatDateTime(user.lastSignInAt)}
                  </p>
                </div>
                {user.role === "admin" ? (
                  <ConfirmAction action={demoteUserAction} fields={{ userId: user.id }} label="Remove admin" confirmLabel="Confirm removal" prompt={`Take the admin role away from ${user.email ?? "this user"}? They lose the admin pages at their next request.`} tone="danger" />
                ) : (
                  <ConfirmAction action={promoteUserAction} fields={{ userId: user.id }} label="Make admin" confirmLabel="Confirm promotion" prompt={`Make ${user.email ?? "this user"} an admin? They get every partner's data and these controls.`} />
                )}
              </li>
            ))}
          </ul>
        )}
        <nav aria-label="Pagination" className="flex justify-end gap-2 text-sm">
          {searchParams.cursor ? (
            <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={`/admin/users?${query}`}>
              Newest
            </Link>
          ) : null}
          {list?.nextCursor ? (
            <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={`/admin/users?${new URLSearchParams({ ...filters, cursor: list.nextCursor })}`}>
              Older
            </Link>
          ) : null}
        </nav>
      </div>
    );
  },
  { searchParams: ["role", "partner_id", "cursor"] },
);
