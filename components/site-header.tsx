import Link from "next/link";

/** The top bar. `user` is the signed-in person, resolved by the layout (components do no data access). */
export function SiteHeader({ user }: { user: { email: string | null; role: "admin" | "partner"; status: string } | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center justify-between px-6 py-4">
        <Link href="/" className="text-lg font-semibold tracking-tight text-brand-900">
          Gatehouse
        </Link>
        <div className="flex items-center gap-4 text-sm">
          {user?.role === "admin" ? (
            <Link href="/admin/partners" className="text-slate-700 hover:text-brand-700">
              Admin
            </Link>
          ) : null}
          {user?.role === "partner" && user.status === "approved" ? (
            <Link href="/partner/dashboard" className="text-slate-700 hover:text-brand-700">
              Dashboard
            </Link>
          ) : null}
          {user ? (
            <Link href="/me" className="text-slate-700 hover:text-brand-700">
              {user.email ?? "Your account"}
            </Link>
          ) : (
            <Link href="/sign-in" className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
              Sign in
            </Link>
          )}
        </div>
      </nav>
    </header>
  );
}
