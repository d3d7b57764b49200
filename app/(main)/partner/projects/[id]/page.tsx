import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDate } from "@/components/format";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { getProject } from "@/lib/portal/projects";

export const metadata: Metadata = { title: "Project" };

export default page(memberPage("/partner/projects/[id]"), async ({ principal: user, params }) => {
  const { id } = params;
  const path = `/partner/projects/${encodeURIComponent(id)}`;
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
        {/* A plain form (works before hydration): the POST provisions the preview and opens the portal. */}
        <form method="post" action={`/projects/${project.id}/portal-preview`}>
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
            View client portal
          </button>
        </form>
      </div>
      {project.notes ? <p className="whitespace-pre-wrap rounded-xl border border-slate-200 bg-white p-4 text-slate-800">{project.notes}</p> : null}
    </div>
  );
}, { params: ["id"] });
