import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { MCP_CORS_HEADERS, MCP_POLICY, resourceMetadataUrl, withMcpCors } from "@/lib/mcp/gate";
import { handleMcpRequest } from "@/lib/mcp/server";

export const dynamic = "force-dynamic";

const mcp = route(MCP_POLICY, async (request, { principal }) => withMcpCors(await handleMcpRequest(request, principal)), {
  responseHeaders: MCP_CORS_HEADERS,
  resourceMetadata: resourceMetadataUrl,
});

export const GET = mcp;
export const POST = mcp;
export const DELETE = mcp;

/** CORS preflight: answered without a key. */
export const OPTIONS = route(PUBLIC_API, () => new Response(null, { status: 204, headers: MCP_CORS_HEADERS }));
