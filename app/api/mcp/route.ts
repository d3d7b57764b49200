import { route } from "@/lib/http/route";
import { authenticateMcpRequest, MCP_CORS_HEADERS } from "@/lib/mcp/gate";
import { handleMcpRequest } from "@/lib/mcp/server";

export const dynamic = "force-dynamic";

/** Adds CORS headers without touching the body, so a streamed (SSE) response passes through unbuffered. */
function withCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(MCP_CORS_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const mcp = route("json", async (request) => {
  const principal = await authenticateMcpRequest(request);
  if (principal instanceof Response) return principal;
  return withCors(await handleMcpRequest(request, principal));
});

export const GET = mcp;
export const POST = mcp;
export const DELETE = mcp;

/** CORS preflight: answered without a key. */
export function OPTIONS(): Response {
  return new Response(null, { status: 204, headers: MCP_CORS_HEADERS });
}
