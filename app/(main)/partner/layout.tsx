import Link from "next/link";
import type { ReactNode } from "react";
import { getPageUser } from "@/lib/next/pages";

const LINKS = [
  { href: "/partner/dashboard", label: "Dashboard" },
  { href: "/partner/members", label: "Members" },
  { href: "/partner/groups", label: "Groups" },
  { href: "/partner/clients", label: "Clients" },
  { href: "/partner/projects", label: "Projects" },
  { href: "/partner/api-keys", label: "API keys" },
  { href: "/partner/integrations", label: "Integrations" },
  // Owners and admins only (the page refuses everyone else; hiding the link is comfort, not a guard).
  { href: "/partner/connected-apps", label: "Connected apps", managers: true },
];

export default async function PartnerLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser("/partner/dashboard");
  const manages = user?.partnerRole === "owner" || user?.partnerRole === "admin";
  return (
    <div className="space-y-6">
      {user?.status === "approved" ? (
        <nav aria-label="Partner" className="flex gap-4 border-b border-slate-200 pb-3 text-sm">
          {LINKS.filter((link) => !link.managers || manages).map((link) => (
            <Link key={link.href} href={link.href} className="font-medium text-slate-700 hover:text-brand-700">
              {link.label}
            </Link>
          ))}
        </nav>
      ) : null}
      {children}
    </div>
  );
}
