import { getAdminActor } from "@/lib/auth/principal";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/http/route";
import { allowDomainAsAdmin, listAllowlistAsAdmin } from "@/lib/partners/allowlist";

export const dynamic = "force-dynamic";

export const GET = route("json", async (request) => {
  const admin = await getAdminActor(request);
  return Response.json({ entries: await listAllowlistAsAdmin(admin) });
});

/** Admin: allow `{ "value": "acme.com" }` or an Entra tenant id. 409 when already listed. */
export const POST = route("json", async (request) => {
  const actor = await getAdminActor(request);
  const entry = await allowDomainAsAdmin((await readJson(request)) as { value: string }, actor);
  return Response.json(entry, { status: 201 });
});
