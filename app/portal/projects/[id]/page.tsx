import { portalPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDate, formatDateTime } from "@/components/format";
import { PortalHeader } from "@/components/portal-header";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { getPortalProject } from "@/lib/portal/projects";

export const metadata: Metadata = { title: "Project", referrer: "no-referrer" };

const STATUS_LABEL = { planned: "Planned", active: "In progress", on_hold: "On hold", completed: "Completed" } as const;

export default page(portalPage("/portal/projects/[id]"), async ({ principal: principal, params }) => {
  const { id } = params;
  const path = `/portal/projects/${encodeURIComponent(id)}`;
  const project = await loadPageData(path, () => nullIfNotFound(getPortalProject(principal.portalClientId, id)));
  if (!project) notFound();
  return (
    <>
      <PortalHeader clientName={principal.clientName} preview={principal.preview} />
      <p className="mb-4 text-sm">
        <Link href="/portal" className="text-brand-700 hover:underline">
          ← All projects
        </Link>
      </p>
      <article className="space-y-4 rounded-xl border border-slate-200 bg-white p-6">
        <h1 className="text-2xl font-bold tracking-tight">{project.name}</h1>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[8rem_1fr]">
          <dt className="text-slate-600">Status</dt>
          <dd data-testid="project-status">{STATUS_LABEL[project.status]}</dd>
          <dt className="text-slate-600">Start</dt>
          <dd>{formatDate(project.startDate)}</dd>
          <dt className="text-slate-600">Due</dt>
          <dd>{formatDate(project.dueDate)}</dd>
          <dt className="text-slate-600">Last updated</dt>
          <dd>{formatDateTime(project.updatedAt)}</dd>
        </dl>
        {project.description ? <p className="text-slate-800">{project.description}</p> : null}
        {project.notes ? (
          <section>
            <h2 className="mb-1 font-semibold">Notes</h2>
            <p className="whitespace-pre-wrap text-slate-800">{project.notes}</p>
          </section>
        ) : null}
      </article>
    </>
  );
}, { params: ["id"] });
