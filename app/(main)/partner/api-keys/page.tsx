import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { ConfirmAction } from "@/components/confirm-action";
import { CreateApiKeyForm } from "@/components/create-api-key-form";
import { formatDateTime } from "@/components/format";
import { UsageChart } from "@/components/usage-chart";
import { getApiKeyUsageByDay, listApiKeys, listPartnerApiKeys, type PartnerApiKeyView } from "@/lib/api-keys/api-keys";
import { getConfig } from "@/lib/config";
import { page, loadPageData } from "@/lib/next/pages";
import { getPartner } from "@/lib/partners/partner";
import { createApiKeyAction, revokeApiKeyAction, revokePartnerApiKeyAction } from "./actions";

export const metadata: Metadata = { title: "API keys" };

export default page(memberPage("/partner/api-keys"), async ({ principal: user }) => {
  // Owners and admins also see every key of the partner (members see only their own).
  const managesKeys = user.partnerRole === "owner" || user.partnerRole === "admin";
  const { keys, usage, partnerKeys, partnerName } = await loadPageData("/partner/api-keys", async () => {
    const keys = await listApiKeys(user.partnerId, user.userId);
    const [usage, partnerKeys, partner] = await Promise.all([
      getApiKeyUsageByDay(user.partnerId, keys.map((k) => k.id)),
      managesKeys ? listPartnerApiKeys(user.partnerId) : null,
      managesKeys ? getPartner(user.partnerId) : null,
    ]);
    return { keys, usage, partnerKeys, partnerName: partner?.name ?? "" };
  });
  const { appUrl, apiKeyDefaultTtlDays } = getConfig();
  const mcpUrl = `${appUrl}/api/mcp`;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">API keys</h1>
      <p className="max-w-3xl text-slate-700">
        Keys for AI tools (MCP at <code className="font-mono">{mcpUrl}</code>) and scripts (the partner API with <code className="font-mono">X-API-Key</code>). A key
        acts for your organisation with the scopes you give it.
      </p>
      <CreateApiKeyForm action={createApiKeyAction} defaultExpiryDays={apiKeyDefaultTtlDays} />
      {keys.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">You have no API keys yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="API keys">
          {keys.map((key) => (
            <li key={key.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid={`api-key-${key.name}`}>
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div className="space-y-1 text-sm">
                  <p className="text-base font-semibold">
                    {key.name} <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs">{key.status}</span>
                  </p>
                  <p className="font-mono text-slate-700">{key.keyPrefix}…</p>
                  <p className="text-slate-600">
                    {key.usageCount} requests · last used {formatDateTime(key.lastUsedAt)} · expires {key.expiresAt ? formatDateTime(key.expiresAt) : "never"}
                  </p>
                  <p className="font-mono text-xs text-slate-600">{key.scopes.join(" ")}</p>
                </div>
                <div className="flex items-start gap-4">
                  <UsageChart series={usage[key.id] ?? []} label={`${key.name} usage`} />
                  {key.status === "active" ? (
                    <ConfirmAction action={revokeApiKeyAction} fields={{ keyId: key.id }} label="Revoke" confirmLabel="Confirm revoke" prompt={`Revoke ${key.name}? Tools using it stop working on their next request.`} tone="danger" />
                  ) : null}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {partnerKeys ? <PartnerKeys partnerName={partnerName} keys={partnerKeys} /> : null}
    </div>
  );
});

/** Every key of the partner, its OAuth clients' included, for owners and admins: prefix only, never a secret. */
function PartnerKeys({ partnerName, keys }: { partnerName: string; keys: PartnerApiKeyView[] }) {
  return (
    <section className="space-y-3" aria-labelledby="partner-keys">
      <h2 id="partner-keys" className="text-xl font-semibold">
        All keys of {partnerName}
      </h2>
      {keys.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">Nobody in {partnerName} has an API key yet.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" aria-label={`All keys of ${partnerName}`}>
          {keys.map((key) => (
            <li key={key.id} className="flex flex-wrap items-start justify-between gap-4 p-4 text-sm" data-testid={`partner-api-key-${key.keyPrefix}`}>
              <div className="space-y-1">
                <p className="font-semibold">
                  {key.name} <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs">{key.status}</span>
                </p>
                <p className="text-slate-700">
                  {key.owner.kind === "oauth_client" ? `OAuth client ${key.owner.label}` : key.owner.label} · <span className="font-mono">{key.keyPrefix}…</span>
                </p>
                <p className="text-slate-600">
                  {key.usageCount} requests · last used {formatDateTime(key.lastUsedAt)} · expires {key.expiresAt ? formatDateTime(key.expiresAt) : "never"}
                </p>
              </div>
              {key.status === "active" ? (
                <ConfirmAction action={revokePartnerApiKeyAction} fields={{ keyId: key.id }} label="Revoke" confirmLabel="Confirm revoke" prompt={`Revoke ${key.name} (${key.owner.label})? Whatever uses it stops working on its next request.`} tone="danger" />
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
