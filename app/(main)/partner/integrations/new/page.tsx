import type { Metadata } from "next";
import Link from "next/link";
import { SimpleActionForm } from "@/components/simple-action-form";
import { definePolicy } from "@/lib/auth/policy";
import { PROVIDER_NAMES, providerAvailable } from "@/lib/integrations/integrations";
import { PROVIDERS, type IntegrationProvider } from "@/lib/integrations/types";
import { page } from "@/lib/next/pages";
import { createIntegrationAction } from "../actions";

export const metadata: Metadata = { title: "Add an integration" };

const WHAT: Record<IntegrationProvider, string> = {
  aws: "IAM users, groups, roles and policies, and the credential report, through a read-only role you create with an ExternalId.",
  google: "Users, groups, memberships and admin roles, with read-only directory access an admin grants.",
  okta: "Users, groups, memberships and admin roles, with read-only API scopes an admin grants.",
  entra: "Users, guests, groups, memberships and directory roles, with read-only Microsoft Graph permissions an admin grants.",
};

const DIRECTORY_FIELD: Partial<Record<IntegrationProvider, { label: string; placeholder: string; hint: string }>> = {
  google: { label: "Google Workspace domain", placeholder: "example.com", hint: "Your primary domain. Google must vouch for it when an admin consents." },
  okta: { label: "Okta domain", placeholder: "https://example.okta.com", hint: "The address your people sign in to Okta at." },
  entra: { label: "Entra tenant ID", placeholder: "00000000-0000-0000-0000-000000000000", hint: "Entra admin center → Overview → Tenant ID. Microsoft must vouch for it at consent." },
};

/** The setup wizard's first steps: pick a provider, name the integration (owners and admins). */
export default page(
  definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "app-page", path: "/partner/integrations/new" }),
  async ({ searchParams }) => {
    const provider = (PROVIDERS as readonly string[]).includes(searchParams.provider ?? "") ? (searchParams.provider as IntegrationProvider) : null;
    return (
      <div className="space-y-6">
        <p className="text-sm">
          <Link href="/partner/integrations" className="text-brand-700 hover:underline">
            ← Integrations
          </Link>
        </p>
        <h1 className="text-2xl font-bold tracking-tight">Add an integration</h1>
        <ol className="flex gap-4 text-sm text-slate-600" aria-label="Steps">
          <li className={provider ? "" : "font-semibold text-slate-900"}>1. Provider</li>
          <li className={provider ? "font-semibold text-slate-900" : ""}>2. Details</li>
          <li>3. Connect</li>
          <li>4. First sync</li>
        </ol>
        {!provider ? (
          <ul className="grid gap-4 sm:grid-cols-2" aria-label="Providers">
            {PROVIDERS.map((p) => (
              <li key={p} className="rounded-xl border border-slate-200 bg-white p-4">
                <p className="font-semibold">{PROVIDER_NAMES[p]}</p>
                <p className="mt-1 text-sm text-slate-700">{WHAT[p]}</p>
                {providerAvailable(p) ? (
                  <Link href={`/partner/integrations/new?provider=${p}`} className="mt-3 inline-block rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                    Connect {PROVIDER_NAMES[p]}
                  </Link>
                ) : (
                  <p className="mt-3 text-sm text-slate-500">Not configured on this Gatehouse (ask its operator).</p>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <SimpleActionForm action={createIntegrationAction} submitLabel="Continue" pendingLabel="Creating…" className="max-w-xl space-y-3 rounded-xl border border-slate-200 bg-white p-4">
            <input type="hidden" name="provider" value={provider} />
            <p className="font-semibold">{PROVIDER_NAMES[provider]}</p>
            <label className="block text-sm">
              <span className="text-slate-700">Name</span>
              <input name="name" required maxLength={100} defaultValue={`${PROVIDER_NAMES[provider]}`} className="mt-1 block w-full rounded-md border border-slate-300 p-2" />
            </label>
            {DIRECTORY_FIELD[provider] ? (
              <label className="block text-sm">
                <span className="text-slate-700">{DIRECTORY_FIELD[provider].label}</span>
                <input name="directory" required maxLength={300} placeholder={DIRECTORY_FIELD[provider].placeholder} className="mt-1 block w-full rounded-md border border-slate-300 p-2" />
                <span className="text-xs text-slate-500">{DIRECTORY_FIELD[provider].hint}</span>
              </label>
            ) : (
              <p className="text-sm text-slate-600">Next, Gatehouse shows the role to create in your account, with its ExternalId.</p>
            )}
          </SimpleActionForm>
        )}
      </div>
    );
  },
  { searchParams: ["provider"] },
);
