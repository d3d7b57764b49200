import { ADMIN_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { removeAllowlistEntryAsAdmin } from "@/lib/partners/allowlist";

export const dynamic = "force-dynamic";

/** Admin: remove an allowlist entry. */
export const DELETE = route(
  ADMIN_API,
  async (_request, { principal, params }) => {
    await removeAllowlistEntryAsAdmin(params.id, principal.admin);
    return new Response(null, { status: 204 });
  },
  { params: ["id"] },
);
