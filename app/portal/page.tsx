import { portalPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "@/components/format";
import { PortalHeader } from "@/components/portal-header";
import { page, loadPageData } from "@/lib/next/pages";
import { listPortalProjectSummaries } from "@/lib/portal/projects";

export const metadata: Metadata = { title: "Your projects", referrer: "no-referrer" };

const STATUS_LABEL = { planned: "Planned", active: "In progress", on_hold: "On hold", completed: "Completed" } as const;

export default page(portalPage("/portal"), async ({ principal: principal }) => {
  const projects = await loadPageData("/portal", () => listPortalProjectSummaries(principal.portalClientId));
  return (
    <>
      <PortalHeader clientName={principal.clientName} preview={principal.preview} />
      <h1 className="mb-4 text-2xl font-bold tracking-tight">Your projects</h1>
      {projects.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">There are no projects to show yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="Projects">
          {projects.map((project) => (
            <li key={project.id} className="rounded-xl border border-slate-200 bg-white p-4">
              <Link href={`/portal/projects/${project.id}`} className="text-lg font-medium text-brand-700 hover:underline">
                {project.name}
              </Link>
              <p className="text-sm text-slate-600">
                {STATUS_LABEL[project.status]} · started {formatDate(project.startDate)} · due {formatDate(project.dueDate)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
});
