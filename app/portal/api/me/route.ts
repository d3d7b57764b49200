import { PORTAL_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** Who the portal session is for. */
export const GET = route(PORTAL_API, (_request, { principal }) =>
  Response.json({ client: { id: principal.portalClientId, name: principal.clientName }, preview: principal.preview }, { headers: { "Cache-Control": "no-store" } }),
);
