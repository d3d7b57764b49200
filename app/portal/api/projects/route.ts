import { PORTAL_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { listPortalProjects } from "@/lib/portal/projects";
import { portalProjectJson } from "@/lib/portal/wire";

export const dynamic = "force-dynamic";

/** The portal client's projects. 401 JSON without a valid portal session. */
export const GET = route(PORTAL_API, async (_request, { principal }) => {
  const projects = await listPortalProjects(principal.portalClientId);
  return Response.json(
    { client: { id: principal.portalClientId, name: principal.clientName }, projects: projects.map(portalProjectJson) },
    { headers: { "Cache-Control": "no-store" } },
  );
});
