import { signedInPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/card";
import { page, loadPageData } from "@/lib/next/pages";
import { getPartner } from "@/lib/partners/partner";

export const metadata: Metadata = { title: "Your organisation" };

export default page(signedInPage("/partner/status"), async ({ principal: user }) => {
  if (user.role === "admin") redirect("/admin/partners");
  if (user.status === "approved") redirect("/partner/dashboard");
  const partner = user.partnerId ? await loadPageData("/partner/status", () => getPartner(user.partnerId!)) : null;

  return (
    <div className="mx-auto max-w-xl">
      <Card>
        {partner?.status === "pending_approval" ? (
          <>
            <h1 className="text-2xl font-bold tracking-tight">Your organisation is awaiting approval</h1>
            <p className="mt-3 text-slate-700">
              Thanks for signing up <strong>{partner.name}</strong>. A Gatehouse administrator has been notified and will review
              the signup, usually within one business day.
            </p>
            <p className="mt-3 text-slate-700">
              You will get an email at <strong>{user.email}</strong> when it is decided. Once approved, signing in takes you
              straight to your partner dashboard. Colleagues who sign in with the same company account join the same organisation.
            </p>
          </>
        ) : partner?.status === "rejected" ? (
          <>
            <h1 className="text-2xl font-bold tracking-tight">Your organisation&apos;s signup was not approved</h1>
            <p className="mt-3 text-slate-700">
              The signup for <strong>{partner.name}</strong> was reviewed and not approved.
            </p>
            <p className="mt-3 rounded-md bg-slate-100 p-3 text-slate-800" data-testid="rejection-reason">
              Reason: {partner.rejectionReason}
            </p>
            <p className="mt-3 text-slate-700">If you think this is a mistake, contact your Gatehouse representative.</p>
          </>
        ) : partner?.status === "suspended" ? (
          <>
            <h1 className="text-2xl font-bold tracking-tight">Your organisation is suspended</h1>
            <p className="mt-3 text-slate-700">Access for {partner.name} is suspended. Sessions and API keys have been disabled.</p>
            {partner.suspensionReason ? <p className="mt-3 rounded-md bg-slate-100 p-3 text-slate-800">Reason: {partner.suspensionReason}</p> : null}
          </>
        ) : (
          <>
            <h1 className="text-2xl font-bold tracking-tight">Your account has no organisation</h1>
            <p className="mt-3 text-slate-700">Sign in with your company&apos;s Google Workspace or Microsoft Entra ID account.</p>
          </>
        )}
        <Link href="/me" className="mt-6 inline-block text-brand-700 underline">
          See your account
        </Link>
      </Card>
    </div>
  );
});
