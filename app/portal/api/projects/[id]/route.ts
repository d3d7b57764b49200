import { getPrincipal } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { getPortalProject } from "@/lib/portal/projects";
import { portalProjectJson } from "@/lib/portal/wire";

export const dynamic = "force-dynamic";

/** One of the portal client's projects; any other project (another client's included) is 404. */
export const GET = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const principal = await getPrincipal(request, { accept: ["portal"] });
  if (principal.kind !== "portal") throw new Error("unreachable");
  return Response.json(portalProjectJson(await getPortalProject(principal.clientId, (await params).id)), { headers: { "Cache-Control": "no-store" } });
});
