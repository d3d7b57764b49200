/**
 * The MCP endpoint's access policy (MCP Authorization spec; RFC 6750; RFC 9728), declared like every other entry
 * point's and enforced by the same route adapter. It decides before the MCP handler runs and before any response
 * starts, and never touches the response body (SSE streams pass through unbuffered).
 *
 * Accepted: `Authorization: Bearer mg_…` or `X-API-Key: mg_…` (an API key with `mcp:tools`), or a Gatehouse access
 * token whose audience is this MCP resource: a service's (client credentials) or a person's, issued to an app through
 * the authorization code grant (the tools then act as that person inside their partner). A browser request whose
 * `Origin` is neither Gatehouse's nor in MCP_ALLOWED_ORIGINS is refused with 403 before anything else (DNS
 * rebinding; MCP 2025-11-25 transports). Values that are neither `mg_…` nor a JWT, and `mg_…` values whose
 * checksum is wrong, are refused before any database lookup. Every 401 is the endpoint's fixed body with
 * `WWW-Authenticate: Bearer resource_metadata="…"` (the `mcp` error style of lib/http/respond.ts).
 */
import { getConfig } from "@/lib/config";
import { definePolicy } from "@/lib/auth/policy";
import { logger } from "@/lib/http/logger";

export const MCP_SCOPE = "mcp:tools";

let warnedUnauthenticated = false;

/** REQUIRE_MCP_AUTH=false (refused in production): requests without any credential get through, loudly. */
function mcpAuthDisabled(): boolean {
  if (getConfig().requireMcpAuth) return false;
  if (!warnedUnauthenticated) {
    warnedUnauthenticated = true;
    logger.warn("REQUIRE_MCP_AUTH=false: /api/mcp is serving requests WITHOUT authentication");
  }
  return true;
}

/** `/api/mcp`: an API key, or a service's or a person's access token for the MCP resource, with `mcp:tools`. */
export const MCP_POLICY = definePolicy({
  accept: ["api_key", "service", "delegated"],
  allowedOrigins: () => getConfig().mcpAllowedOrigins,
  scopes: [MCP_SCOPE],
  resource: "mcp",
  csrf: "none",
  errors: "mcp",
  maxBodyBytes: 256 * 1024,
  allowAnonymous: mcpAuthDisabled,
});

/** CORS for the MCP endpoint: credentials travel in headers (never cookies), so any origin may call it. */
export const MCP_CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, X-API-Key, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID",
  "Access-Control-Expose-Headers": "WWW-Authenticate, Mcp-Session-Id",
  "Access-Control-Max-Age": "86400",
};

/** Adds the CORS headers to a handler's response without touching the body, so a streamed (SSE) response passes through unbuffered. */
export function withMcpCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(MCP_CORS_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** RFC 9728 §5.1: where a client finds which authorization server protects this resource. */
export function resourceMetadataUrl(): string {
  return `${getConfig().appUrl}/.well-known/oauth-protected-resource/api/mcp`;
}
