/** Liveness: the process answers. No database (the benchmark's floor; readiness lives at /api/health/ready). */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
