import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import { getPageUser } from "@/lib/next/pages";

/** Gatehouse's own pages (partners and admins). The client portal has its own layout under app/portal. */
export default async function MainLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser("/");
  return (
    <>
      <SiteHeader user={user} />
      <main id="main" className="mx-auto w-full max-w-5xl px-6 py-10">
        {children}
      </main>
    </>
  );
}
