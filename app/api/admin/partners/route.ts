import { getAdminActor } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { createPartnerAsAdmin, listPartnersAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/** Admin: list partners (`?status=&q=&page=&pageSize=`). Anyone else: 404. */
export const GET = route("json", async (request) => {
  const admin = await getAdminActor(request);
  return Response.json(await listPartnersAsAdmin(admin, Object.fromEntries(new URL(request.url).searchParams)));
});

/** Admin: create a partner `{ name, domain?, approve? }`. */
export const POST = route("json", async (request) => {
  const actor = await getAdminActor(request);
  const partner = await createPartnerAsAdmin((await readJson(request)) as { name: string }, actor);
  return Response.json(partner, { status: 201 });
});
