/**
 * Scopes and resources (audiences) Gatehouse issues tokens for.
 */
import { getConfig } from "@/lib/config";

/** Every scope a client may be allowed, with what it grants. */
export const SCOPES = {
  "groups:read": "Read groups",
  "groups:write": "Create, rename and delete groups",
  "members:read": "Read group memberships (and check one)",
  "members:write": "Add and remove group members",
  "partner:read": "Read the partner organisation and its members",
  "mcp:tools": "Call Gatehouse's MCP tools",
  "integrations:read": "Read cloud and directory integrations, their sync jobs, resources and evidence",
  "integrations:write": "Create, change, sync and disconnect integrations",
} as const;
export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/** The issuer (`iss`), RFC 8414 §2: the app's origin. */
export function issuerUrl(): string {
  return getConfig().appUrl;
}

/** Resource indicators (RFC 8707) Gatehouse accepts as `aud`: its REST API and its MCP endpoint. */
export function resourceServers(): { api: string; mcp: string } {
  const base = getConfig().appUrl;
  return { api: `${base}/api`, mcp: `${base}/api/mcp` };
}

/** Parses an RFC 6749 §3.3 scope string: space-delimited, no empty tokens, no duplicates kept. */
export function parseScopeParam(value: string): string[] {
  return [...new Set(value.split(" ").filter(Boolean))];
}
