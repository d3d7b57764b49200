/**
 * The gate in front of `/api/mcp` (MCP Authorization spec; RFC 6750; RFC 9728). It decides before the MCP handler
 * runs and before any response starts, and never touches the response body (SSE streams pass through unbuffered).
 *
 * Accepted: `Authorization: Bearer mg_…` or `X-API-Key: mg_…` (an API key with `mcp:tools`), or a Gatehouse access
 * token whose audience is this MCP resource. Anything else is refused before any database lookup: values that are
 * neither `mg_…` nor a JWT, and `mg_…` values whose checksum is wrong.
 */
import { getConfig } from "@/lib/config";
import { verifyApiKey, isWellFormedApiKey } from "@/lib/api-keys/api-keys";
import { BearerError } from "@/lib/http/errors";
import { logger } from "@/lib/http/logger";
import { looksLikeJwt, verifyAccessToken } from "@/lib/oauth/tokens";
import { resourceServers } from "@/lib/oauth/scopes";

export const MCP_SCOPE = "mcp:tools";

export interface McpPrincipal {
  kind: "api_key" | "service" | "anonymous";
  /** Key id, or OAuth client id. */
  id: string;
  orgId: string | null;
  scopes: string[];
  ownerUserId?: string;
}

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

/** The 401 every refused request gets (the wording is the endpoint's public contract). */
export function mcpUnauthorizedResponse(): Response {
  return Response.json(
    { error: "Unauthorized", message: "Valid API key required. Use Authorization: Bearer mg_... or X-API-Key: mg_..." },
    { status: 401, headers: { ...MCP_CORS_HEADERS, "WWW-Authenticate": `Bearer resource_metadata="${resourceMetadataUrl()}"`, "Cache-Control": "no-store" } },
  );
}

function insufficientScopeResponse(): Response {
  return Response.json(
    { error: "insufficient_scope", message: `This credential lacks the scope ${MCP_SCOPE}.`, scope: MCP_SCOPE },
    {
      status: 403,
      headers: {
        ...MCP_CORS_HEADERS,
        "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${MCP_SCOPE}", resource_metadata="${resourceMetadataUrl()}"`,
        "Cache-Control": "no-store",
      },
    },
  );
}

let warnedUnauthenticated = false;

/**
 * Authenticates an MCP request.
 * @returns the principal, or the Response to send (401 / 403) — never throws for bad credentials
 */
export async function authenticateMcpRequest(request: Request): Promise<McpPrincipal | Response> {
  if (!getConfig().requireMcpAuth) {
    if (!warnedUnauthenticated) {
      warnedUnauthenticated = true;
      logger.warn("REQUIRE_MCP_AUTH=false: /api/mcp is serving requests WITHOUT authentication");
    }
    return { kind: "anonymous", id: "anonymous", orgId: null, scopes: [MCP_SCOPE] };
  }
  const authorization = request.headers.get("authorization");
  const apiKeyHeader = request.headers.get("x-api-key");
  let credential: string | undefined;
  if (authorization) credential = /^Bearer ([^\s]{1,4096})$/i.exec(authorization)?.[1];
  else if (apiKeyHeader) credential = apiKeyHeader.trim();
  if (!credential) return mcpUnauthorizedResponse();

  if (credential.startsWith("mg_")) {
    if (!isWellFormedApiKey(credential)) return mcpUnauthorizedResponse(); // bad checksum: no lookup
    const key = await verifyApiKey(credential);
    if (!key) return mcpUnauthorizedResponse();
    if (!key.scopes.includes(MCP_SCOPE)) return insufficientScopeResponse();
    return { kind: "api_key", id: key.keyId, orgId: key.orgId, scopes: key.scopes, ...(key.ownerUserId ? { ownerUserId: key.ownerUserId } : {}) };
  }
  if (authorization && looksLikeJwt(credential)) {
    try {
      const token = await verifyAccessToken(credential, resourceServers().mcp);
      if (!token.scopes.includes(MCP_SCOPE)) return insufficientScopeResponse();
      return { kind: "service", id: token.clientId, orgId: token.orgId, scopes: token.scopes };
    } catch (error) {
      if (error instanceof BearerError) return mcpUnauthorizedResponse();
      throw error;
    }
  }
  return mcpUnauthorizedResponse(); // neither mg_ nor a JWT: refused before any lookup
}
