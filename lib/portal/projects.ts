/**
 * Projects: partners manage them; a client sees the ones linked to it in the portal.
 */
import { z } from "zod";
import { db, sql, type Prisma } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";
import { NotFoundError } from "@/lib/http/errors";
import type { Actor } from "@/lib/portal/clients";

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-12-31")
  .transform((value) => new Date(`${value}T00:00:00Z`))
  .refine((date) => !Number.isNaN(date.getTime()), "must be a real date");

export const projectCreateSchema = z.object({
  name: z.string().trim().min(1, "is required").max(200),
  status: z.enum(["planned", "active", "on_hold", "completed"]).default("active"),
  description: z.string().trim().max(2000).optional().nullable(),
  notes: z.string().trim().max(5000).optional().nullable(),
  start_date: z.union([z.literal(""), dateString]).optional(),
  due_date: z.union([z.literal(""), dateString]).optional(),
  client_id: z.string().trim().max(64).optional().nullable(),
});

export interface ProjectView {
  id: string;
  name: string;
  status: "planned" | "active" | "on_hold" | "completed";
  description: string | null;
  notes: string | null;
  startDate: Date | null;
  dueDate: Date | null;
  client: { id: string; name: string; isPreview: boolean } | null;
  createdAt: Date;
  updatedAt: Date;
}

const projectSelect = {
  id: true,
  name: true,
  status: true,
  description: true,
  notes: true,
  startDate: true,
  dueDate: true,
  createdAt: true,
  updatedAt: true,
  client: { select: { id: true, name: true, previewForProjectId: true } },
} as const;

function toView({ client, ...row }: Prisma.ProjectGetPayload<{ select: typeof projectSelect }>): ProjectView {
  return { ...row, client: client ? { id: client.id, name: client.name, isPreview: client.previewForProjectId !== null } : null };
}

/** The tenant's projects, newest first, page-numbered; optionally only one client's. */
export async function listProjects(partnerId: string, options: { clientId?: string; page?: number; pageSize?: number } = {}): Promise<{ projects: ProjectView[]; total: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const where = { partnerId, ...(options.clientId ? { clientId: options.clientId } : {}) };
  const [rows, total] = await db.$transaction([
    db.project.findMany({ where, select: projectSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.project.count({ where }),
  ]);
  return { projects: rows.map(toView), total };
}

/** One project of the tenant. @throws NotFoundError */
export async function getProject(partnerId: string, projectId: string): Promise<ProjectView> {
  const row = await db.project.findFirst({ where: { id: projectId, partnerId }, select: projectSelect });
  if (!row) throw new NotFoundError("No such project.");
  return toView(row);
}

/** Creates a project, optionally for a client of the tenant. @throws ZodError; NotFoundError (client) */
export async function createProject(partnerId: string, input: unknown, actor: Actor): Promise<ProjectView> {
  const data = projectCreateSchema.parse(input);
  return db.$transaction(async (tx) => {
    if (data.client_id && !(await tx.client.findFirst({ where: { id: data.client_id, partnerId }, select: { id: true } }))) throw new NotFoundError("No such client.");
    const row = await tx.project.create({
      data: {
        partnerId,
        name: data.name,
        status: data.status,
        description: data.description || null,
        notes: data.notes || null,
        startDate: data.start_date || null,
        dueDate: data.due_date || null,
        clientId: data.client_id || null,
      },
      select: projectSelect,
    });
    await tx.auditEvent.create({ data: auditRow({ action: "project.created", actor, partnerId, target: { type: "project", id: row.id }, metadata: { name: data.name } }) });
    return toView(row);
  });
}

/**
 * Links a project to a client of the tenant (or unlinks it with null).
 * @throws NotFoundError for a project or client outside the tenant
 */
export async function linkProjectToClient(partnerId: string, projectId: string, clientId: string | null, actor: Actor): Promise<ProjectView> {
  return db.$transaction(async (tx) => {
    if (clientId && !(await tx.client.findFirst({ where: { id: clientId, partnerId }, select: { id: true } }))) throw new NotFoundError("No such client.");
    const updated = await tx.project.updateMany({ where: { id: projectId, partnerId }, data: { clientId } });
    if (updated.count === 0) throw new NotFoundError("No such project.");
    await tx.auditEvent.create({ data: auditRow({ action: "project.client_linked", actor, partnerId, target: { type: "project", id: projectId }, metadata: { clientId } }) });
    return toView(await tx.project.findUniqueOrThrow({ where: { id: projectId }, select: projectSelect }));
  });
}

/**
 * The portal's reads run on every portal request, so each is one statement on the pg pool (lib/db.ts `sql`), not
 * Prisma. `date` columns are cast to `timestamp`, which lib/db.ts reads as UTC midnight, as Prisma reads them.
 */
type PortalProjectRow = Omit<ProjectView, "client"> & { clientId: string; clientName: string; previewForProjectId: string | null };

function portalRowToView({ clientId, clientName, previewForProjectId, ...row }: PortalProjectRow): ProjectView {
  return { ...row, client: { id: clientId, name: clientName, isPreview: previewForProjectId !== null } };
}

/** The portal's view: the client's projects, newest first (at most 200). */
export async function listPortalProjects(clientId: string): Promise<ProjectView[]> {
  const rows = await sql<PortalProjectRow>`
    SELECT p.id, p.name, p.status::text AS status, p.description, p.notes,
           p.start_date::timestamp AS "startDate", p.due_date::timestamp AS "dueDate", p.created_at AS "createdAt", p.updated_at AS "updatedAt",
           c.id AS "clientId", c.name AS "clientName", c.preview_for_project_id AS "previewForProjectId"
    FROM projects p JOIN clients c ON c.id = p.client_id
    WHERE p.client_id = ${clientId}
    ORDER BY p.created_at DESC, p.id DESC LIMIT 200`;
  return rows.map(portalRowToView);
}

/** What the portal's project list shows of a project. */
export type PortalProjectSummary = Pick<ProjectView, "id" | "name" | "status" | "startDate" | "dueDate">;

/** The portal page's list: the client's projects, newest first (at most 200), only the columns the list shows. */
export async function listPortalProjectSummaries(clientId: string): Promise<PortalProjectSummary[]> {
  return sql<PortalProjectSummary>`
    SELECT p.id, p.name, p.status::text AS status, p.start_date::timestamp AS "startDate", p.due_date::timestamp AS "dueDate"
    FROM projects p WHERE p.client_id = ${clientId}
    ORDER BY p.created_at DESC, p.id DESC LIMIT 200`;
}

/** One of the client's projects. @throws NotFoundError (404) for any other project, another client's included */
export async function getPortalProject(clientId: string, projectId: string): Promise<ProjectView> {
  const [row] = await sql<PortalProjectRow>`
    SELECT p.id, p.name, p.status::text AS status, p.description, p.notes,
           p.start_date::timestamp AS "startDate", p.due_date::timestamp AS "dueDate", p.created_at AS "createdAt", p.updated_at AS "updatedAt",
           c.id AS "clientId", c.name AS "clientName", c.preview_for_project_id AS "previewForProjectId"
    FROM projects p JOIN clients c ON c.id = p.client_id
    WHERE p.id = ${projectId} AND p.client_id = ${clientId}`;
  if (!row) throw new NotFoundError("No such project.");
  return portalRowToView(row);
}
