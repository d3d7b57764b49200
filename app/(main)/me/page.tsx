import { signedInPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { getUserProfile, providerLabel } from "@/lib/auth/profile";
import { page, loadPageData } from "@/lib/next/pages";
import { Card } from "@/components/card";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { listUserSessions } from "@/lib/auth/sessions";
import { listOwnGrants } from "@/lib/oauth/authorization";
import { describeDelegatedScope } from "@/lib/oauth/authorization";
import { disconnectAppAction, endSessionAction, signOutAction, signOutEverywhereAction } from "./actions";

export const metadata: Metadata = { title: "Your account" };

export default page(signedInPage("/me"), async ({ principal: user }) => {
  const { profile, sessions, grants } = await loadPageData("/me", async () => ({
    profile: await getUserProfile(user.userId),
    sessions: await listUserSessions(user.userId),
    grants: await listOwnGrants({ userId: user.userId }),
  }));
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
      <Card title="Signed-in devices">
        <ul className="divide-y divide-slate-100" aria-label="Signed-in devices">
          {sessions.map((session) => (
            <li key={session.id} className="flex flex-wrap items-start justify-between gap-4 py-3 text-sm" data-testid="device">
              <span className="space-y-1">
                <span className="block font-medium">
                  {session.userAgent ?? "Unknown browser"} {session.id === user.sessionId ? <span className="text-emerald-700">(this device)</span> : null}
                </span>
                <span className="block text-slate-600">
                  Signed in {formatDateTime(session.createdAt)} · last seen {formatDateTime(session.lastSeenAt)}
                </span>
              </span>
              {session.id === user.sessionId ? null : (
                <ConfirmAction action={endSessionAction} fields={{ sessionId: session.id }} label="Sign out this device" confirmLabel="Confirm sign-out" prompt="Sign this device out?" tone="danger" />
              )}
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Connected apps">
        {grants.length === 0 ? (
          <p className="text-sm text-slate-600">No apps connected. When an MCP client or another application asks to act as you, it appears here.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Connected apps">
            {grants.map((grant) => (
              <li key={grant.id} className="flex flex-wrap items-start justify-between gap-4 py-3 text-sm" data-testid="connected-app">
                <span className="space-y-1">
                  <span className="block font-medium">{grant.client.name}</span>
                  <span className="block text-slate-600">Returns to {grant.client.redirectHosts.join(", ")}</span>
                  <span className="block text-slate-600">Can: {grant.scopes.map(describeDelegatedScope).join(" · ")}</span>
                  <span className="block text-slate-600">
                    Connected {formatDateTime(grant.createdAt)} · last used {grant.lastUsedAt ? formatDateTime(grant.lastUsedAt) : "never"}
                  </span>
                </span>
                <ConfirmAction action={disconnectAppAction} fields={{ grantId: grant.id }} label="Disconnect" confirmLabel="Confirm disconnect" prompt="Disconnect this app?" tone="danger" />
              </li>
            ))}
          </ul>
        )}
      </Card>
      <div className="flex gap-3">
        <form action={signOutAction}>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-50">
            Sign out
          </button>
        </form>
        <ConfirmAction
          action={signOutEverywhereAction}
          fields={{}}
          label="Sign out everywhere"
          confirmLabel="Confirm: sign out everywhere"
          prompt="End every session of yours, on every device, this one included?"
          tone="danger"
        />
      </div>
    </div>
  );
});
