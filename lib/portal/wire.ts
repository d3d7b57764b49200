/** JSON shape of a project in the portal API. */
import type { ProjectView } from "@/lib/portal/projects";

export function portalProjectJson(project: ProjectView) {
  return {
    id: project.id,
    name: project.name,
    status: project.status,
    description: project.description,
    notes: project.notes,
    start_date: project.startDate?.toISOString().slice(0, 10) ?? null,
    due_date: project.dueDate?.toISOString().slice(0, 10) ?? null,
    updated_at: project.updatedAt,
  };
}
