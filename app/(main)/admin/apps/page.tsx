import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { ConfirmAction } from "@/components/confirm-action";
import { CreateAppClientForm } from "@/components/create-app-client-form";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { page, loadPageData } from "@/lib/next/pages";
import { listAppClientsAsAdmin, type AppClientView } from "@/lib/oauth/app-clients";
import { blockAppClientAction, createAppClientAction, unblockAppClientAction } from "./actions";

export const metadata: Metadata = { title: "Applications" };

const PAGE_SIZE = 20;

/** How an app client came to be registered, in words. */
const REGISTRATION: Record<AppClientView["registration"], string> = {
  metadata_document: "metadata document",
  dynamic: "dynamic registration",
  admin: "registered by an admin",
};

export default page(adminPage("/admin/apps"), async ({ principal: { admin }, searchParams }) => {
  const page = Math.max(1, Number.parseInt(searchParams.page ?? "1", 10) || 1);
  const { clients, total } = await loadPageData("/admin/apps", () => listAppClientsAsAdmin(admin, { page, pageSize: PAGE_SIZE }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Applications</h1>
      <p className="max-w-3xl text-slate-700">
        Apps (MCP clients, IDEs) that people connect to act as them, with the authorization code flow and PKCE. Most identify themselves by a client metadata document or
        register themselves; register one here when it does neither. Blocking an application refuses it everywhere and ends every person&apos;s connection to it.
      </p>
      <CreateAppClientForm action={createAppClientAction} />
      {clients.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No applications yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="Applications">
          {clients.map((client) => (
            <li key={client.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="app-client">
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div className="space-y-1 text-sm">
                  <h2 className="text-base font-semibold">
                    {client.name}{" "}
                    {client.blocked ? (
                      <span className="ml-2 rounded bg-red-100 px-2 py-0.5 text-xs text-red-800" data-testid="app-client-status">
                        Blocked
                      </span>
                    ) : (
                      <span className="ml-2 rounded bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800" data-testid="app-client-status">
                        Active
                      </span>
                    )}
                  </h2>
                  <p className="break-all font-mono text-slate-700">{client.clientId}</p>
                  <p className="text-slate-600">
                    {REGISTRATION[client.registration]} · {client.grantCount} {client.grantCount === 1 ? "person" : "people"} connected · created {formatDateTime(client.createdAt)}
                    {client.blockedAt ? ` · blocked ${formatDateTime(client.blockedAt)}` : null}
                  </p>
                  <ul className="font-mono text-xs text-slate-600" aria-label={`Redirect URIs of ${client.name}`}>
                    {client.redirectUris.map((uri) => (
                      <li key={uri} className="break-all">
                        {uri}
                      </li>
                    ))}
                  </ul>
                </div>
                <div className="flex flex-wrap gap-2">
                  {client.blocked ? (
                    <ConfirmAction action={unblockAppClientAction} fields={{ id: client.id }} label="Unblock" confirmLabel="Confirm unblock" prompt={`Unblock ${client.name}? People must connect it again.`} />
                  ) : (
                    <ConfirmAction
                      action={blockAppClientAction}
                      fields={{ id: client.id }}
                      label="Block"
                      confirmLabel="Confirm block"
                      prompt="Block this application everywhere? Every person's connection to it ends now."
                      tone="danger"
                    />
                  )}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={PAGE_SIZE} total={total} hrefFor={(p) => `/admin/apps?page=${p}`} />
    </div>
  );
}, { searchParams: ["page"] });
