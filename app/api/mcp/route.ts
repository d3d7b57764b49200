import { route } from "@/lib/http/route";
import { authenticateMcpRequest, MCP_CORS_HEADERS, withMcpCors } from "@/lib/mcp/gate";
import { handleMcpRequest } from "@/lib/mcp/server";

export const dynamic = "force-dynamic";

const mcp = route("json", async (request) => {
  const principal = await authenticateMcpRequest(request);
  if (principal instanceof Response) return principal;
  return withMcpCors(await handleMcpRequest(request, principal));
});

export const GET = mcp;
export const POST = mcp;
export const DELETE = mcp;

/** CORS preflight: answered without a key. */
export function OPTIONS(): Response {
  return new Response(null, { status: 204, headers: MCP_CORS_HEADERS });
}
