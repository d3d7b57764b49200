/**
 * Gatehouse's MCP server (official @modelcontextprotocol/sdk): tools that act for the gate's principal, inside its
 * tenant. Inputs are validated with zod by the SDK; every lib call takes the principal's tenant, so no tool can
 * return another tenant's data.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { listAuditEvents } from "@/lib/audit/record-audit";
import { checkGroupMembership, getGroup, listGroupMembers, listGroups } from "@/lib/groups/groups";
import { NotFoundError } from "@/lib/http/errors";
import { getPartner } from "@/lib/partners/partner";
import { listIntegrations, listResources } from "@/lib/integrations/integrations";
import { RESOURCE_TYPES, RISK_LEVELS } from "@/lib/integrations/types";
import { listClients } from "@/lib/portal/clients";
import type { ApiKeyPrincipal, DelegatedPrincipal, ServicePrincipal } from "@/lib/auth/principal";

/** Who the tools act for: the MCP policy's principal (null only with REQUIRE_MCP_AUTH=false, development). */
export type McpCaller = ApiKeyPrincipal | ServicePrincipal | DelegatedPrincipal | null;

export const MCP_TOOL_NAMES = ["whoami", "list_groups", "get_group", "check_membership", "list_clients", "search_audit_log", "list_integrations", "list_integration_resources"] as const;

type ToolResult = { content: { type: "text"; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

function ok(data: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data, null, 2) }], structuredContent: data };
}

function fail(message: string): ToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * Runs a tool body in the principal's tenant; "not found" (which includes other tenants) becomes a tool error.
 * `scope`: what a person's token must also carry for this tool, beyond `mcp:tools`: the person consented to exactly
 * those scopes (lib/oauth/authorization.ts). API keys and service tokens are held to `mcp:tools` alone for the tools
 * that predate the scope rule (it has always meant every one of them); tools added since (the integrations: who has
 * access to a partner's clouds, and their weaknesses) demand their scope of every caller (`scopeAppliesTo`).
 */
async function inTenant(
  principal: McpCaller,
  run: (partnerId: string, caller: NonNullable<McpCaller>) => Promise<ToolResult>,
  scope?: string,
  scopeAppliesTo: "delegated" | "every caller" = "delegated",
): Promise<ToolResult> {
  if (!principal) return fail("This MCP session has no organisation (REQUIRE_MCP_AUTH=false).");
  if (scope && !principal.scopes.includes(scope)) {
    if (principal.kind === "delegated") return fail(`You did not allow this app the scope ${scope}. Connect it again and allow it to use this tool.`);
    if (scopeAppliesTo === "every caller") return fail(`This credential lacks the scope ${scope}.`);
  }
  try {
    return await run(principal.partnerId, principal);
  } catch (error) {
    if (error instanceof NotFoundError) return fail(error.message);
    throw error;
  }
}

const id = z.string().trim().min(1).max(64);

/** A fresh server bound to one principal (stateless Streamable HTTP: one server per request). */
export function createMcpServer(principal: McpCaller): McpServer {
  const server = new McpServer({ name: "gatehouse", version: "0.1.0" }, { capabilities: { tools: {} } });

  server.registerTool("whoami", { title: "Who am I", description: "The credential this session uses, its organisation and scopes." }, async () =>
    inTenant(principal, async (partnerId, caller) => {
      const partner = await getPartner(partnerId);
      const id = caller.kind === "api_key" ? caller.keyId : caller.kind === "delegated" ? caller.userId : caller.clientId;
      const app = caller.kind === "delegated" ? { app: { client_id: caller.clientId } } : {};
      return ok({ kind: caller.kind, id, ...app, organization: { id: partner.id, name: partner.name }, scopes: caller.scopes });
    }),
  );

  server.registerTool(
    "list_groups",
    { title: "List groups", description: "Groups in your organisation, with member counts.", inputSchema: { page: z.number().int().min(1).max(1000).optional() } },
    async ({ page }) =>
      inTenant(principal, async (partnerId) => {
        const { groups, total } = await listGroups(partnerId, { page: page ?? 1, pageSize: 50 });
        return ok({ total, groups: groups.map((g) => ({ id: g.id, name: g.name, description: g.description, member_count: g.memberCount })) });
      }, "groups:read"),
  );

  server.registerTool(
    "get_group",
    { title: "Get a group", description: "One group and its members (first 100).", inputSchema: { group_id: id } },
    async ({ group_id }) =>
      inTenant(principal, async (partnerId) => {
        const group = await getGroup(partnerId, group_id);
        const { members } = await listGroupMembers(partnerId, group_id, { pageSize: 100 });
        return ok({ id: group.id, name: group.name, description: group.description, members: members.map((m) => ({ user_id: m.userId, email: m.email, name: m.name })) });
      }, "members:read"),
  );

  server.registerTool(
    "check_membership",
    { title: "Check membership", description: "Whether a user is a member of a group.", inputSchema: { group_id: id, user_id: id } },
    async ({ group_id, user_id }) =>
      inTenant(principal, async (partnerId) => {
        await getGroup(partnerId, group_id);
        const membership = await checkGroupMembership(partnerId, group_id, user_id);
        return ok({ group_id, user_id, member: membership !== null });
      }, "members:read"),
  );

  server.registerTool("list_clients", { title: "List clients", description: "Your organisation's client-portal clients." }, async () =>
    inTenant(principal, async (partnerId) => {
      const { clients, total } = await listClients(partnerId, { pageSize: 100 });
      return ok({ total, clients: clients.map((c) => ({ id: c.id, name: c.name, slug: c.slug, active: c.active, project_count: c.projectCount })) });
    }, "partner:read"),
  );

  server.registerTool(
    "search_audit_log",
    {
      title: "Search the audit log",
      description: "Recent audit events of your organisation, newest first, optionally for one action (e.g. group.created).",
      inputSchema: { action: z.string().trim().regex(/^[a-z_]+\.[a-z_]+$/).max(64).optional(), limit: z.number().int().min(1).max(100).optional() },
    },
    async ({ action, limit }) =>
      inTenant(principal, async (partnerId) => {
        const events = await listAuditEvents({ partnerId, action, limit: limit ?? 20 });
        return ok({ events: events.map((e) => ({ id: e.id, at: e.occurredAt, action: e.action, actor: `${e.actorType}:${e.actorId ?? "-"}`, target: e.targetType ? `${e.targetType}:${e.targetId}` : null })) });
      }, "partner:read"),
  );

  server.registerTool(
    "list_integrations",
    {
      title: "List integrations",
      description: "Your organisation's connected clouds and directories (AWS, Google Workspace, Okta, Entra ID): status, last sync and how many resources are at each risk level.",
      inputSchema: { page: z.number().int().min(1).max(1000).optional() },
      annotations: { readOnlyHint: true },
    },
    async ({ page }) =>
      inTenant(principal, async (partnerId) => {
        const { integrations, total } = await listIntegrations(partnerId, { page: page ?? 1, pageSize: 50 });
        return ok({
          total,
          integrations: integrations.map((i) => ({ id: i.id, provider: i.provider, name: i.name, status: i.status, last_sync_at: i.lastSyncAt, last_sync_status: i.lastSyncStatus, resource_count: i.resourceCount, risk_counts: i.riskCounts })),
        });
      }, "integrations:read", "every caller"),
  );

  server.registerTool(
    "list_integration_resources",
    {
      title: "List an integration's resources",
      description: "Who and what has access in one integration (users, groups, roles, policies), riskiest first, with the reasons for each risk level. Filter by type, risk level or a name/email search.",
      inputSchema: {
        integration_id: id,
        type: z.enum(RESOURCE_TYPES).optional(),
        risk: z.enum(RISK_LEVELS).optional(),
        query: z.string().trim().max(200).optional(),
        page: z.number().int().min(1).max(1000).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ integration_id, type, risk, query, page }) =>
      inTenant(principal, async (partnerId) => {
        const result = await listResources(partnerId, integration_id, { type, risk, q: query, page: page ?? 1, page_size: 50 });
        return ok({
          total: result.total,
          page: result.page,
          resources: result.resources.map((r) => ({ type: r.type, external_id: r.externalId, name: r.name, email: r.email, risk_level: r.riskLevel, risk_reasons: r.riskReasons })),
        });
      }, "integrations:read", "every caller"),
  );

  return server;
}

/**
 * Handles one MCP Streamable HTTP request for an authenticated principal. Stateless mode: no session id; a fresh
 * server and transport per request, so any instance can serve any request.
 */
export async function handleMcpRequest(request: Request, principal: McpCaller): Promise<Response> {
  const server = createMcpServer(principal);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  return transport.handleRequest(request);
}
