import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { checkDatabase } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Readiness: answers 200 when PostgreSQL answers, 503 otherwise. */
export const GET = route(PUBLIC_API, async () => {
  await checkDatabase();
  return Response.json({ status: "ready" }, { headers: { "Cache-Control": "no-store" } });
});
