import { issuerUrl, resourceServers } from "@/lib/oauth/scopes";
import { DELEGABLE_SCOPES } from "@/lib/oauth/authorization";
import { MCP_CORS_HEADERS } from "@/lib/mcp/gate";

/** RFC 9728 protected-resource metadata for the MCP endpoint. */
export function protectedResourceMetadataResponse(): Response {
  return Response.json(
    {
      resource: resourceServers().mcp,
      authorization_servers: [issuerUrl()],
      scopes_supported: [...DELEGABLE_SCOPES],
      bearer_methods_supported: ["header"],
      resource_name: "Gatehouse MCP",
      resource_documentation: `${issuerUrl()}/`,
    },
    { headers: { ...MCP_CORS_HEADERS, "Cache-Control": "public, max-age=300" } },
  );
}
