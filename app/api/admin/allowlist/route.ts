import { ADMIN_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { allowDomainAsAdmin, listAllowlistAsAdmin } from "@/lib/partners/allowlist";

export const dynamic = "force-dynamic";

/** Admin: the allowlist. */
export const GET = route(ADMIN_API, async (_request, { principal }) => Response.json({ entries: await listAllowlistAsAdmin(principal.admin) }));

/** Admin: allow `{ "value": "acme.com" }` or an Entra tenant id. 409 when already listed. */
export const POST = route(ADMIN_API, async (request, { principal }) => {
  const entry = await allowDomainAsAdmin((await readJson(request)) as { value: string }, principal.admin);
  return Response.json(entry, { status: 201 });
});
