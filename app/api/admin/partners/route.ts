import { getPrincipal, requireAdminForApi } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { createPartnerAsAdmin, listPartnersAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/** Admin: list partners (`?status=&q=&page=&pageSize=`). Anyone else: 404. */
export const GET = route("json", async (request) => {
  requireAdminForApi(await getPrincipal(request, { accept: ["user"] }));
  return Response.json(await listPartnersAsAdmin(Object.fromEntries(new URL(request.url).searchParams)));
});

/** Admin: create a partner `{ name, domain?, approve? }`. */
export const POST = route("json", async (request) => {
  const principal = await getPrincipal(request, { accept: ["user"] });
  requireAdminForApi(principal);
  const partner = await createPartnerAsAdmin((await readJson(request)) as { name: string }, { type: "user", id: principal.userId });
  return Response.json(partner, { status: 201 });
});
