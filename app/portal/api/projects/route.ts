import { getPrincipal } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { listPortalProjects } from "@/lib/portal/projects";
import { portalProjectJson } from "@/lib/portal/wire";

export const dynamic = "force-dynamic";

/** The portal client's projects. 401 JSON without a valid portal session. */
export const GET = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["portal"] });
  if (principal.kind !== "portal") throw new Error("unreachable");
  const projects = await listPortalProjects(principal.clientId);
  return Response.json({ client: { id: principal.clientId, name: principal.clientName }, projects: projects.map(portalProjectJson) }, { headers: { "Cache-Control": "no-store" } });
});
