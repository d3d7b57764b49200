import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";

/** Liveness: the process answers. No database (the benchmark's floor; readiness lives at /api/health/ready). */
export const dynamic = "force-dynamic";

export const GET = route(PUBLIC_API, () => Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } }));
