import { formatDate } from "@/components/format";
import { PortalHeader } from "@/components/portal-header";
import type { PortalProjectSummary } from "@/lib/portal/projects";

const STATUS_LABEL = { planned: "Planned", active: "In progress", on_hold: "On hold", completed: "Completed" } as const;

/**
 * The portal's home: who it is for and their projects. Plain markup (links are `<a>`, no client code), because the
 * production server renders it outside Next's page pipeline (app/portal/portal-html.tsx) as well as in the Next page.
 */
export function PortalProjects({ clientName, preview, projects }: { clientName: string; preview: boolean; projects: PortalProjectSummary[] }) {
  return (
    <>
      <PortalHeader clientName={clientName} preview={preview} />
      <h1 className="mb-4 text-2xl font-bold tracking-tight">Your projects</h1>
      {projects.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">There are no projects to show yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="Projects">
          {projects.map((project) => (
            <li key={project.id} className="rounded-xl border border-slate-200 bg-white p-4">
              <a href={`/portal/projects/${project.id}`} className="text-lg font-medium text-brand-700 hover:underline">
                {project.name}
              </a>
              <p className="text-sm text-slate-600">
                {STATUS_LABEL[project.status as keyof typeof STATUS_LABEL] ?? project.status} · started {formatDate(project.startDate)} · due {formatDate(project.dueDate)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
