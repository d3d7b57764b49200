import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { db } from "@/lib/db";
import * as apiKeys from "@/lib/api-keys/api-keys";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { createGroup } from "@/lib/groups/groups";
import { suspendPartnerAsAdmin } from "@/lib/partners/approval";
import { createPartner, createUser } from "./support";
import { startTestApp, type TestApp } from "./http-app";

// Count calls into the key lookup, to prove malformed keys never reach the database.
vi.mock("@/lib/api-keys/api-keys", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/api-keys/api-keys")>();
  return { ...original, verifyApiKey: vi.fn(original.verifyApiKey) };
});

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function memberWithKey(scopes?: string[]) {
  const partner = await createPartner();
  const user = await createUser({ partnerId: partner.id });
  const { apiKey, key } = await apiKeys.createApiKey(partner.id, user.id, { name: "Claude Desktop", ...(scopes ? { scopes } : {}) }, { type: "user", id: user.id });
  return { partner, user, apiKey, key };
}

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } } };
const mcpPost = (headers: Record<string, string>, body: unknown = INIT) =>
  fetch(`${app.url}/api/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });

async function expectGateRefusal(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${app.url}/.well-known/oauth-protected-resource/api/mcp"`);
  expect(await response.json()).toEqual({ error: "Unauthorized", message: "Valid API key required. Use Authorization: Bearer mg_... or X-API-Key: mg_..." });
}

describe("API keys", () => {
  it("creates a key shown once (stored as a digest), verifies it, and stops it at once when revoked", async () => {
    const { partner, user, apiKey, key } = await memberWithKey();
    expect(apiKey).toMatch(/^mg_[0-9A-Za-z]{49}$/);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.keyDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(apiKey);
    expect(await apiKeys.verifyApiKey(apiKey)).toMatchObject({ keyId: key.id, partnerId: partner.id, ownerUserId: user.id });
    await apiKeys.revokeApiKey(partner.id, user.id, key.id, { type: "user", id: user.id });
    expect(await apiKeys.verifyApiKey(apiKey)).toBeNull();
  });

  it("refuses expired keys and every key of a suspended partner", async () => {
    const expired = await memberWithKey();
    await db.apiKey.update({ where: { id: expired.key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await apiKeys.verifyApiKey(expired.apiKey)).toBeNull();

    const suspended = await memberWithKey();
    expect(await apiKeys.verifyApiKey(suspended.apiKey)).not.toBeNull();
    await suspendPartnerAsAdmin(suspended.partner.id, { reason: "Unpaid" }, systemAdminActor());
    expect(await apiKeys.verifyApiKey(suspended.apiKey)).toBeNull();
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: suspended.key.id } })).revokedAt).toBeInstanceOf(Date);
  });

  it("counts 1,000 concurrent uses exactly (usage_count and the per-day series)", async () => {
    const { apiKey, key, partner } = await memberWithKey();
    const results = await Promise.all(Array.from({ length: 1000 }, () => apiKeys.verifyApiKey(apiKey)));
    expect(results.every((r) => r?.keyId === key.id)).toBe(true);
    // Uses are counted in memory and written every second (and at shutdown); write them now.
    await apiKeys.flushApiKeyUsage();
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(Number(row.usageCount)).toBe(1000);
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    const series = (await apiKeys.getApiKeyUsageByDay(partner.id, [key.id]))[key.id]!;
    expect(series.at(-1)!.count).toBe(1000);
    expect(series).toHaveLength(14);
  });

  it("lets a session user list and revoke only their own keys", async () => {
    const mine = await memberWithKey();
    const colleague = await createUser({ partnerId: mine.partner.id });
    await expect(apiKeys.revokeApiKey(mine.partner.id, colleague.id, mine.key.id, { type: "user", id: colleague.id })).rejects.toThrow(/No such API key/);
    expect((await apiKeys.listApiKeys(mine.partner.id, mine.user.id)).map((k) => k.id)).toEqual([mine.key.id]);
  });
});

describe("the MCP gate", () => {
  it("refuses missing, malformed, bad-checksum, unknown and revoked keys with the resource_metadata challenge", async () => {
    const { apiKey, key, partner, user } = await memberWithKey();
    const verify = vi.mocked(apiKeys.verifyApiKey);
    verify.mockClear();
    await expectGateRefusal(await mcpPost({}));
    await expectGateRefusal(await mcpPost({ authorization: "Bearer something-else" }));
    await expectGateRefusal(await mcpPost({ "x-api-key": `${apiKey.slice(0, -1)}${apiKey.endsWith("a") ? "b" : "a"}` }));
    await expectGateRefusal(await mcpPost({ authorization: "Basic dXNlcjpwYXNz" }));
    await expectGateRefusal(await mcpPost({ authorization: `Bearer ${"x".repeat(8000)}` }));
    expect(verify).not.toHaveBeenCalled(); // none of these reached the database

    await expectGateRefusal(await mcpPost({ authorization: `Bearer ${apiKeys.isWellFormedApiKey(apiKey) ? "mg_" + "0".repeat(49) : ""}` }));
    await apiKeys.revokeApiKey(partner.id, user.id, key.id, { type: "user", id: user.id });
    await expectGateRefusal(await mcpPost({ authorization: `Bearer ${apiKey}` }));
  });

  it("answers CORS preflight without a key, exposing WWW-Authenticate and Mcp-Session-Id", async () => {
    const response = await fetch(`${app.url}/api/mcp`, { method: "OPTIONS", headers: { origin: "https://claude.ai", "access-control-request-method": "POST" } });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
    expect(response.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    expect(response.headers.get("access-control-allow-headers")).toContain("X-API-Key");
  });

  it("publishes RFC 9728 metadata naming Gatehouse as the authorization server (and the root variant)", async () => {
    for (const path of ["/.well-known/oauth-protected-resource/api/mcp", "/.well-known/oauth-protected-resource"]) {
      expect(await (await fetch(`${app.url}${path}`)).json()).toMatchObject({ resource: `${app.url}/api/mcp`, authorization_servers: [app.url], scopes_supported: expect.arrayContaining(["mcp:tools"]) });
    }
  });

  it("accepts an OAuth token for the MCP audience with mcp:tools, refuses one for the API audience, and 403s without the scope", async () => {
    const partner = await createPartner();
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Agent", partner_id: partner.id, scopes: "mcp:tools groups:read" }, systemAdminActor());
    const token = async (params: Record<string, string>) => {
      const response = await fetch(`${app.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "client_credentials", ...params }),
      });
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const mcpToken = await token({ resource: `${app.url}/api/mcp` });
    expect((await mcpPost({ authorization: `Bearer ${mcpToken}` })).status).toBe(200);
    await expectGateRefusal(await mcpPost({ authorization: `Bearer ${await token({})}` }));
    const noScope = await mcpPost({ authorization: `Bearer ${await token({ resource: `${app.url}/api/mcp`, scope: "groups:read" })}` });
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("exchanges client credentials for an MCP key at /auth/client, and refuses a wrong secret", async () => {
    const partner = await createPartner();
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Desktop", partner_id: partner.id, scopes: "mcp:tools" }, systemAdminActor());
    const exchange = await fetch(`${app.url}/auth/client`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: client.clientId, client_secret: clientSecret }) });
    expect(exchange.status).toBe(201);
    const body = (await exchange.json()) as { api_key: string; key_prefix: string; client_id: string; expires_at: string };
    expect(body).toMatchObject({ client_id: client.clientId, key_prefix: expect.stringMatching(/^mg_/) });
    expect(new Date(body.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect((await mcpPost({ "x-api-key": body.api_key })).status).toBe(200);
    const wrong = await fetch(`${app.url}/auth/client`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: client.clientId, client_secret: "gcs_wrong" }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
    const malformed = await fetch(`${app.url}/auth/client`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(malformed.status).toBe(400);
  });
});

describe("the MCP server (official SDK client over Streamable HTTP)", () => {
  it("lists the tools and answers list_groups, get_group and check_membership inside the key's tenant only", async () => {
    const { partner, user, apiKey } = await memberWithKey();
    const actor = { type: "user" as const, id: user.id };
    const group = await createGroup(partner.id, { name: "Support" }, actor);
    const other = await createPartner();
    const otherGroup = await createGroup(other.id, { name: "Elsewhere" }, { type: "system", id: "test" });

    const client = new Client({ name: "gatehouse-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["check_membership", "get_group", "list_clients", "list_groups", "list_integration_resources", "list_integrations", "search_audit_log", "whoami"]);

    const groups = await client.callTool({ name: "list_groups", arguments: {} });
    expect(groups.structuredContent).toEqual({ total: 1, groups: [{ id: group.id, name: "Support", description: null, member_count: 0 }] });
    const foreign = await client.callTool({ name: "get_group", arguments: { group_id: otherGroup.id } });
    expect(foreign.isError).toBe(true);
    const membership = await client.callTool({ name: "check_membership", arguments: { group_id: group.id, user_id: user.id } });
    expect(membership.structuredContent).toEqual({ group_id: group.id, user_id: user.id, member: false });
    const whoami = await client.callTool({ name: "whoami", arguments: {} });
    expect(whoami.structuredContent).toMatchObject({ kind: "api_key", organization: { id: partner.id } });
    const invalid = await client.callTool({ name: "search_audit_log", arguments: { limit: 5000 } });
    expect(invalid.isError).toBe(true);
    await client.close();
  });

  it("the integration tools demand integrations:read of every key, not only mcp:tools", async () => {
    const withoutScope = await memberWithKey(["mcp:tools"]);
    const withScope = await memberWithKey(["mcp:tools", "integrations:read"]);
    const call = async (apiKey: string) => {
      const client = new Client({ name: "gatehouse-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
      const result = await client.callTool({ name: "list_integrations", arguments: {} });
      await client.close();
      return result;
    };
    const refused = await call(withoutScope.apiKey);
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain("integrations:read");
    expect((await call(withScope.apiKey)).structuredContent).toEqual({ total: 0, integrations: [] });
  });
});
