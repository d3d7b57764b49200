import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { ConfirmAction } from "@/components/confirm-action";
import { CreateOAuthClientForm } from "@/components/create-oauth-client-form";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { page, loadPageData } from "@/lib/next/pages";
import { listOAuthClientsAsAdmin } from "@/lib/oauth/clients";
import { SCOPES } from "@/lib/oauth/scopes";
import { listPartnersAsAdmin } from "@/lib/partners/approval";
import { createClientAction, deleteClientAction, disableClientAction, enableClientAction, rotateSecretAction } from "./actions";

export const metadata: Metadata = { title: "OAuth clients" };

export default page(adminPage("/admin/oauth-clients"), async ({ principal: { admin }, searchParams }) => {
  const page = Math.max(1, Number.parseInt(searchParams.page ?? "1", 10) || 1);
  const { clients, total, partners } = await loadPageData("/admin/oauth-clients", async () => ({
    ...(await listOAuthClientsAsAdmin(admin, { page })),
    partners: (await listPartnersAsAdmin(admin, { status: "approved", pageSize: 100 })).partners.map((p) => ({ id: p.id, name: p.name })),
  }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">OAuth clients</h1>
      <p className="max-w-3xl text-slate-700">
        Backend services authenticate with these at <code className="font-mono">POST /oauth/token</code> (client credentials) and call
        the groups API with the token. Each client belongs to one partner and can only see that partner&apos;s data.
      </p>
      <CreateOAuthClientForm action={createClientAction} partners={partners} scopes={Object.entries(SCOPES).map(([name, description]) => ({ name, description }))} />
      {clients.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No OAuth clients yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="OAuth clients">
          {clients.map((client) => (
            <li key={client.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid={`client-${client.name}`}>
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div className="space-y-1 text-sm">
                  <h2 className="text-base font-semibold">
                    {client.name} {client.disabledAt ? <span className="ml-2 rounded bg-red-100 px-2 py-0.5 text-xs text-red-800">disabled</span> : null}
                  </h2>
                  <p className="font-mono text-slate-700">{client.clientId}</p>
                  <p className="text-slate-600">
                    {client.partnerName} · secret {client.secretPrefix}… · token lifetime {client.accessTokenTtlSeconds} s · created {formatDateTime(client.createdAt)}
                  </p>
                  <p className="font-mono text-xs text-slate-600">{client.allowedScopes.join(" ")}</p>
                </div>
                <div className="flex flex-wrap gap-2">
                  <ConfirmAction action={rotateSecretAction} fields={{ id: client.id }} label="Rotate secret" confirmLabel="Confirm rotation" prompt="Issue a new secret? The current one stops working immediately." />
                  {client.disabledAt ? (
                    <ConfirmAction action={enableClientAction} fields={{ id: client.id }} label="Enable" confirmLabel="Confirm enable" prompt={`Enable ${client.name}?`} />
                  ) : (
                    <ConfirmAction action={disableClientAction} fields={{ id: client.id }} label="Disable" confirmLabel="Confirm disable" prompt={`Disable ${client.name}? It cannot get tokens and its tokens are refused on their next use.`} tone="danger" />
                  )}
                  <ConfirmAction action={deleteClientAction} fields={{ id: client.id }} label="Delete" confirmLabel="Confirm delete" prompt={`Delete ${client.name} for good?`} tone="danger" />
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={20} total={total} hrefFor={(p) => `/admin/oauth-clients?page=${p}`} />
    </div>
  );
}, { searchParams: ["page"] });
