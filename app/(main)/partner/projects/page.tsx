import { memberPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { SimpleActionForm } from "@/components/simple-action-form";
import { page, loadPageData } from "@/lib/next/pages";
import { listClients } from "@/lib/portal/clients";
import { listProjects } from "@/lib/portal/projects";
import { createProjectAction } from "../clients/actions";

export const metadata: Metadata = { title: "Projects" };

const STATUS_LABEL = { planned: "Planned", active: "In progress", on_hold: "On hold", completed: "Completed" } as const;

export default page(memberPage("/partner/projects"), async ({ principal: user, searchParams }) => {
  const page = Math.max(1, Number.parseInt(searchParams.page ?? "1", 10) || 1);
  const { projects, total, clients } = await loadPageData("/partner/projects", async () => ({
    ...(await listProjects(user.partnerId, { page, pageSize: 25 })),
    clients: (await listClients(user.partnerId, { pageSize: 100 })).clients.filter((c) => c.active && !c.isPreview),
  }));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Projects</h1>
      <SimpleActionForm action={createProjectAction} submitLabel="Create project" pendingLabel="Creating…">
        <label className="block text-sm">
          <span className="text-slate-700">Project name</span>
          <input name="name" required maxLength={200} className="mt-1 block w-64 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Status</span>
          <select name="status" defaultValue="active" className="mt-1 block rounded-md border border-slate-300 px-3 py-1.5">
            {Object.entries(STATUS_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Client</span>
          <select name="client_id" defaultValue="" className="mt-1 block w-56 rounded-md border border-slate-300 px-3 py-1.5">
            <option value="">No client yet</option>
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Start</span>
          <input name="start_date" type="date" className="mt-1 block rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Due</span>
          <input name="due_date" type="date" className="mt-1 block rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block w-full text-sm">
          <span className="text-slate-700">Notes for the client (shown in the portal)</span>
          <textarea name="notes" maxLength={5000} rows={2} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
      </SimpleActionForm>
      {projects.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No projects yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Projects">
          {projects.map((project) => (
            <li key={project.id} className="flex items-center justify-between p-4">
              <Link href={`/partner/projects/${project.id}`} className="font-medium text-brand-700 hover:underline">
                {project.name}
              </Link>
              <p className="text-sm text-slate-600">
                {STATUS_LABEL[project.status]} · {project.client ? project.client.name : "no client"} · due {formatDate(project.dueDate)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={25} total={total} hrefFor={(p) => `/partner/projects?page=${p}`} />
    </div>
  );
}, { searchParams: ["page"] });
