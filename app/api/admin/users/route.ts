import { ADMIN_API } from "@/lib/auth/policies";
import { listUsersAsAdmin } from "@/lib/auth/users";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** Admin: users, newest first (`?role=admin|partner&partner_id=&limit=&cursor=`) as `{ users, nextCursor }`. Anyone else: 404. */
export const GET = route(ADMIN_API, async (request, { principal }) => {
  const query = new URL(request.url).searchParams;
  return Response.json(
    await listUsersAsAdmin(principal.admin, {
      role: (query.get("role") ?? undefined) as "admin" | undefined,
      partnerId: query.get("partner_id") ?? undefined,
      limit: query.get("limit") ?? undefined,
      cursor: query.get("cursor") ?? undefined,
    }),
  );
});
