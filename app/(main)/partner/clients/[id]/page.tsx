import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { IssueLinkForm } from "@/components/issue-link-form";
import { SimpleActionForm } from "@/components/simple-action-form";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { getConfig } from "@/lib/config";
import { getClient, listAccessLinks } from "@/lib/portal/clients";
import { listProjects } from "@/lib/portal/projects";
import { issueLinkAction, linkProjectAction, revokeLinkAction, setClientActiveAction } from "../actions";

export const metadata: Metadata = { title: "Client" };

export default page(memberPage("/partner/clients/[id]"), async ({ principal: user, params }) => {
  const { id } = params;
  const path = `/partner/clients/${encodeURIComponent(id)}`;
  const data = await loadPageData(path, () =>
    nullIfNotFound(
      Promise.all([
        getClient(user.partnerId, id),
        listAccessLinks(user.partnerId, id),
        listProjects(user.partnerId, { clientId: id, pageSize: 100 }),
        listProjects(user.partnerId, { pageSize: 100 }),
      ]).then(([client, links, linked, all]) => ({ client, links, linked: linked.projects, unlinked: all.projects.filter((p) => !p.client) })),
    ),
  );
  if (!data) notFound();
  const { client, links, linked, unlinked } = data;

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/partner/clients" className="text-brand-700 hover:underline">
          ← Clients
        </Link>
      </p>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">{client.name}</h1>
          <p className="text-sm text-slate-600" data-testid="client-state">
            {client.active ? "Active" : "Deactivated: its portal links do not work"}
          </p>
        </div>
        {client.active ? (
          <ConfirmAction action={setClientActiveAction} fields={{ clientId: client.id, active: "false" }} label="Deactivate client" confirmLabel="Confirm deactivation" prompt={`Deactivate ${client.name}? Every open portal session ends on its next page load.`} tone="danger" />
        ) : (
          <ConfirmAction action={setClientActiveAction} fields={{ clientId: client.id, active: "true" }} label="Reactivate client" confirmLabel="Confirm reactivation" prompt={`Reactivate ${client.name}?`} />
        )}
      </div>

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Projects in the portal</h2>
        {linked.length === 0 ? <p className="text-sm text-slate-600">No projects linked yet.</p> : null}
        <ul className="space-y-1 text-sm" aria-label="Linked projects">
          {linked.map((p) => (
            <li key={p.id}>
              <Link href={`/partner/projects/${p.id}`} className="text-brand-700 hover:underline">
                {p.name}
              </Link>
            </li>
          ))}
        </ul>
        {unlinked.length > 0 ? (
          <SimpleActionForm action={linkProjectAction} submitLabel="Link project" pendingLabel="Linking…">
            <input type="hidden" name="clientId" value={client.id} />
            <label className="block text-sm">
              <span className="text-slate-700">Project without a client</span>
              <select name="projectId" className="mt-1 block w-72 rounded-md border border-slate-300 px-3 py-1.5">
                {unlinked.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          </SimpleActionForm>
        ) : null}
      </section>

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Portal links</h2>
        {client.active ? <IssueLinkForm action={issueLinkAction} clientId={client.id} defaultExpiryDays={getConfig().portalLinkTtlDays} /> : null}
        {links.length === 0 ? (
          <p className="text-sm text-slate-600">No links yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Portal links">
            {links.map((link) => (
              <li key={link.id} className="flex items-center justify-between gap-4 p-4" data-testid={`link-${link.label}`}>
                <div className="text-sm">
                  <p className="font-medium">
                    {link.label} <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs">{link.status}</span>
                  </p>
                  <p className="text-slate-600">
                    created {formatDateTime(link.createdAt)} · last used {formatDateTime(link.lastUsedAt)} · expires {link.expiresAt ? formatDateTime(link.expiresAt) : "never"}
                  </p>
                </div>
                {link.status === "active" ? (
                  <ConfirmAction action={revokeLinkAction} fields={{ accessTokenId: link.id }} label="Revoke" confirmLabel="Confirm revoke" prompt={`Revoke "${link.label}"? Anyone using it loses access on their next page load.`} tone="danger" />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}, { params: ["id"] });
