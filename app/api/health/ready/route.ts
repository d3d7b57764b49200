import { route } from "@/lib/http/route";
import { checkDatabase } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Readiness: answers 200 when PostgreSQL answers, 503 otherwise. */
export const GET = route("json", async () => {
  await checkDatabase();
  return Response.json({ status: "ready" }, { headers: { "Cache-Control": "no-store" } });
});
