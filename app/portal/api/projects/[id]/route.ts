import { PORTAL_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { getPortalProject } from "@/lib/portal/projects";
import { portalProjectJson } from "@/lib/portal/wire";

export const dynamic = "force-dynamic";

/** One of the portal client's projects; any other project (another client's included) is 404. */
export const GET = route(
  PORTAL_API,
  async (_request, { principal, params }) => Response.json(portalProjectJson(await getPortalProject(principal.portalClientId, params.id)), { headers: { "Cache-Control": "no-store" } }),
  { params: ["id"] },
);
