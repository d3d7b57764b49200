/**
 * BENCH-ONLY: the MCP handler of `/api/mcp` with the gate bypassed, so `npm run bench` can measure what the gate adds
 * (issue 7, scenario 4). It exists only in a build made with `GATEHOUSE_BENCH_BUILD=1`: next.config.mjs inlines that
 * variable at BUILD time, so in every other build the condition below is the constant `"" === "1"` and each request
 * is a 404, whatever the running server's environment says.
 *
 * The principal is fixed by the benchmark when it starts the server (`BENCH_MCP_PRINCIPAL`, JSON of the seeded API
 * key's principal); without it the route is a 404 too. Apart from the gate, the wiring is that of app/api/mcp/route.ts.
 */
import { z } from "zod";
import { PUBLIC_API } from "@/lib/auth/policies";
import type { ApiKeyPrincipal } from "@/lib/auth/principal";
import { NotFoundError } from "@/lib/http/errors";
import { route } from "@/lib/next/route";
import { MCP_SCOPE, withMcpCors } from "@/lib/mcp/gate";
import { handleMcpRequest } from "@/lib/mcp/server";

export const dynamic = "force-dynamic";

const benchPrincipalSchema = z.object({
  kind: z.literal("api_key"),
  keyId: z.string().min(1),
  owner: z.object({ kind: z.literal("user"), userId: z.string().min(1) }),
  partnerId: z.string().min(1),
  scopes: z.array(z.string()).refine((scopes) => scopes.includes(MCP_SCOPE), `must include ${MCP_SCOPE}`),
});

let cached: ApiKeyPrincipal | null | undefined;

/** The fixed principal, parsed once per process (so the ungated path does no more work than the handler itself). */
function benchPrincipal(): ApiKeyPrincipal | null {
  if (process.env.GATEHOUSE_BENCH_BUILD !== "1") return null;
  if (cached === undefined) {
    let json: unknown = null;
    try {
      json = JSON.parse(process.env.BENCH_MCP_PRINCIPAL ?? "null");
    } catch {
      // not JSON: no principal, so 404
    }
    const parsed = benchPrincipalSchema.safeParse(json);
    cached = parsed.success ? parsed.data : null;
  }
  return cached;
}

/** Public on purpose (a bench build only): the gate is what this route leaves out. */
const mcp = route(PUBLIC_API, async (request) => {
  const principal = benchPrincipal();
  if (!principal) throw new NotFoundError();
  return withMcpCors(await handleMcpRequest(request, principal));
});

export const GET = mcp;
export const POST = mcp;
export const DELETE = mcp;
