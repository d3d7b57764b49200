import Link from "next/link";
import type { ReactNode } from "react";
import { getPageUser } from "@/lib/next/pages";

const LINKS = [
  { href: "/admin/partners", label: "Partners" },
  { href: "/admin/partners/domains", label: "Allowlist" },
  { href: "/admin/oauth-clients", label: "OAuth clients" },
  { href: "/admin/apps", label: "Applications" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/outbox", label: "Outbox" },
];

/** Navigation only: each admin page declares and enforces its own policy (a layout is not a guard). */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser("/admin/partners");
  if (user?.role !== "admin") return <>{children}</>;
  return (
    <div className="space-y-6">
      <nav aria-label="Admin" className="flex gap-4 border-b border-slate-200 pb-3 text-sm">
        {LINKS.map((link) => (
          <Link key={link.href} href={link.href} className="font-medium text-slate-700 hover:text-brand-700">
            {link.label}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}
