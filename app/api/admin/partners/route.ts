import { ADMIN_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { createPartnerAsAdmin, listPartnersAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/** Admin: list partners (`?status=&q=&page=&pageSize=`). Anyone else: 404. */
export const GET = route(ADMIN_API, async (request, { principal }) => Response.json(await listPartnersAsAdmin(principal.admin, Object.fromEntries(new URL(request.url).searchParams))));

/** Admin: create a partner `{ name, domain?, approve? }`. */
export const POST = route(ADMIN_API, async (request, { principal }) => {
  const partner = await createPartnerAsAdmin((await readJson(request)) as { name: string }, principal.admin);
  return Response.json(partner, { status: 201 });
});
