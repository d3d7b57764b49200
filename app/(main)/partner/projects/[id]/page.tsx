import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDate } from "@/components/format";
import { loadPageData, nullIfNotFound, requireApprovedPartnerPage } from "@/lib/http/pages";
import { getProject } from "@/lib/portal/projects";

export const metadata: Metadata = { title: "Project" };

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/partner/projects/${encodeURIComponent(id)}`;
  const user = await requireApprovedPartnerPage(path);
  const project = await loadPageData(path, () => nullIfNotFound(getProject(user.partnerId, id)));
  if (!project) notFound();
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/partner/projects" className="text-brand-700 hover:underline">
          ← Projects
        </Link>
      </p>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">{project.name}</h1>
          <p className="text-sm text-slate-600">
            {project.client ? (
              <>
                Client: <Link href={`/partner/clients/${project.client.id}`} className="text-brand-700 hover:underline">{project.client.name}</Link>
              </>
            ) : (
              "No client yet"
            )}{" "}
            · start {formatDate(project.startDate)} · due {formatDate(project.dueDate)}
          </p>
        </div>
        {/* A plain link (GET): /projects/{id}/portal-preview provisions the preview and opens the portal. */}
        <a href={`/projects/${project.id}/portal-preview`} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          View client portal
        </a>
      </div>
      {project.notes ? <p className="whitespace-pre-wrap rounded-xl border border-slate-200 bg-white p-4 text-slate-800">{project.notes}</p> : null}
    </div>
  );
}
