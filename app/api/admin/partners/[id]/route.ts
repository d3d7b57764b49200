import { ADMIN_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { getPartnerAsAdmin } from "@/lib/partners/approval";

export const dynamic = "force-dynamic";

/** Admin: one partner. */
export const GET = route(ADMIN_API, async (_request, { principal, params }) => Response.json(await getPartnerAsAdmin(principal.admin, params.id)), { params: ["id"] });
