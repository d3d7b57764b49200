import { getPrincipal } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Who the portal session is for. */
export const GET = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["portal"] });
  if (principal.kind !== "portal") throw new Error("unreachable");
  return Response.json({ client: { id: principal.clientId, name: principal.clientName }, preview: principal.preview }, { headers: { "Cache-Control": "no-store" } });
});
