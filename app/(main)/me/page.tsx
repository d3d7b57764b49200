import { signedInPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { getUserProfile, providerLabel } from "@/lib/auth/profile";
import { page, loadPageData } from "@/lib/next/pages";
import { Card } from "@/components/card";
import { signOutAction } from "./actions";

export const metadata: Metadata = { title: "Your account" };

export default page(signedInPage("/me"), async ({ principal: user }) => {
  const profile = await loadPageData("/me", () => getUserProfile(user.userId));
  if (!profile) return null;

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">You are signed in</h1>
      <Card title="Who you are">
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Name</dt>
          <dd data-testid="identity-name">{profile.name ?? "—"}</dd>
          <dt className="text-slate-600">Email</dt>
          <dd data-testid="identity-email">{profile.email ?? "—"}</dd>
          <dt className="text-slate-600">Role</dt>
          <dd data-testid="identity-role">{profile.role}</dd>
          <dt className="text-slate-600">Last sign-in</dt>
          <dd>{profile.lastSignInAt ? profile.lastSignInAt.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—"}</dd>
        </dl>
      </Card>
      <Card title="Sign-in accounts">
        <ul className="divide-y divide-slate-100">
          {profile.accounts.map((account) => (
            <li key={account.provider} className="flex justify-between py-2" data-testid={`account-${account.provider}`}>
              <span>{providerLabel(account.provider)}</span>
              <span className="text-slate-600">
                {account.provider === "google" ? "Workspace domain" : "Tenant"}: {account.idpOrganization ?? "personal account"}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <form action={signOutAction}>
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-50">
          Sign out
        </button>
      </form>
    </div>
  );
});
