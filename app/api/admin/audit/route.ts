import { ADMIN_API } from "@/lib/auth/policies";
import { searchAuditEventsAsAdmin } from "@/lib/audit/search";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Admin: audit events, newest first (`?partner_id=&actor=&action=&target=&from=&to=&cursor=&limit=`), answered as
 * `{ events, nextCursor }`. Bad filters, dates or cursors: 400. Anyone else: 404.
 */
export const GET = route(ADMIN_API, async (request, { principal }) =>
  Response.json(await searchAuditEventsAsAdmin(principal.admin, Object.fromEntries(new URL(request.url).searchParams))),
);
