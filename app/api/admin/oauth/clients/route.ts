import { ADMIN_API } from "@/lib/auth/policies";
import { readJson } from "@/lib/http/body";
import { route } from "@/lib/next/route";
import { createOAuthClientAsAdmin, listOAuthClientsAsAdmin } from "@/lib/oauth/clients";
import { oauthClientJson } from "@/lib/oauth/wire";

export const dynamic = "force-dynamic";

/** Admin: list OAuth clients (`?partner_id=&page=`). */
export const GET = route(ADMIN_API, async (request, { principal }) => {
  const search = new URL(request.url).searchParams;
  const { clients, total } = await listOAuthClientsAsAdmin(principal.admin, { partnerId: search.get("partner_id") ?? undefined, page: Number(search.get("page") ?? 1) || 1 });
  return Response.json({ clients: clients.map((c) => oauthClientJson(c)), total });
});

/**
 * Admin: register a client `{ name, partner_id, scopes, default_scopes?, grant_types?, access_token_ttl? }`.
 * 201 with `client_secret`, shown this once.
 */
export const POST = route(ADMIN_API, async (request, { principal }) => {
  const { client, clientSecret } = await createOAuthClientAsAdmin(await readJson(request), principal.admin);
  return Response.json(oauthClientJson(client, clientSecret), { status: 201, headers: { "Cache-Control": "no-store" } });
});
