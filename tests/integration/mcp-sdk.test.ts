/**
 * The MCP endpoint as third-party tooling sees it: the official SDK's ClientCredentialsProvider (discovery through
 * RFC 9728 and RFC 8414, then client_credentials with `resource`), and the official conformance suite
 * (@modelcontextprotocol/conformance) for the server scenarios that apply to Gatehouse.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { resetConfigForTests } from "@/lib/config";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { createPartner, unique } from "./support";
import { startTestApp, type TestApp } from "./http-app";

const run = promisify(execFile);

describe("the MCP SDK's ClientCredentialsProvider", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("discovers the authorization server, gets a token for the MCP resource and lists the tools", async () => {
    const partner = await createPartner();
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: unique("sdk service"), partner_id: partner.id, scopes: "mcp:tools" }, systemAdminActor());
    const provider = new ClientCredentialsProvider({ clientId: client.clientId, clientSecret, scope: "mcp:tools", expectedIssuer: app.url });
    const mcp = new Client({ name: "sdk-client-credentials", version: "1.0.0" });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/api/mcp`), { authProvider: provider }));
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name)).toContain("whoami");
    const whoami = await mcp.callTool({ name: "whoami", arguments: {} });
    expect(whoami.structuredContent).toMatchObject({ kind: "service", id: client.clientId, organization: { id: partner.id } });
    await mcp.close();
    // The token the SDK obtained is for the MCP resource (RFC 8707), not the API.
    const token = provider.tokens()!.access_token;
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { aud: string };
    expect(claims.aud).toBe(`${app.url}/api/mcp`);
  });

  it("fails to connect with a wrong secret: the SDK surfaces invalid_client and no tool runs", async () => {
    const partner = await createPartner();
    const { client } = await createOAuthClientAsAdmin({ name: unique("sdk service"), partner_id: partner.id, scopes: "mcp:tools" }, systemAdminActor());
    const provider = new ClientCredentialsProvider({ clientId: client.clientId, clientSecret: "gcs_wrong", scope: "mcp:tools", expectedIssuer: app.url });
    const mcp = new Client({ name: "sdk-client-credentials", version: "1.0.0" });
    await expect(mcp.connect(new StreamableHTTPClientTransport(new URL(`${app.url}/api/mcp`), { authProvider: provider }))).rejects.toThrow(/invalid_client|Client authentication failed/i);
    expect(provider.tokens()).toBeUndefined();
  });
});

/**
 * The conformance tool cannot send credentials (it has no option for them), so these scenarios run against the
 * endpoint with REQUIRE_MCP_AUTH=false, which only development and tests accept. What they check is the transport and
 * the protocol; authentication is proven by the gate's own tests and the SDK flows above and in e2e.
 *
 * Scenarios that do not apply: logging-set-level, completion-complete, resources-*, prompts-* (Gatehouse declares
 * only the tools capability); tools-call-* (they call the suite's reference tools — test_simple_text, test_image… —
 * which Gatehouse does not have); elicitation-*, server-sse-* (they need server-initiated requests and resumable SSE
 * streams; Gatehouse's endpoint is stateless and never asks the client anything); json-schema-2020-12 (its fixture tool).
 */
describe("@modelcontextprotocol/conformance server scenarios", () => {
  let app: TestApp;
  let savedRequire: string | undefined;
  beforeAll(async () => {
    savedRequire = process.env.REQUIRE_MCP_AUTH;
    process.env.REQUIRE_MCP_AUTH = "false";
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
    if (savedRequire === undefined) delete process.env.REQUIRE_MCP_AUTH;
    else process.env.REQUIRE_MCP_AUTH = savedRequire;
    resetConfigForTests();
  });

  const cli = path.join(process.cwd(), "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");

  for (const scenario of ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"]) {
    it(`passes ${scenario}`, { timeout: 60_000 }, async () => {
      const output = mkdtempSync(path.join(tmpdir(), "gatehouse-conformance-"));
      const result = await run(process.execPath, [cli, "server", "--url", `${app.url}/api/mcp`, "--scenario", scenario, "-o", output], { timeout: 50_000 }).then(
        (done) => ({ code: 0, stdout: done.stdout }),
        (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? "" }),
      );
      const checks = readChecks(output);
      expect(checks.length, `no checks recorded:\n${result.stdout}`).toBeGreaterThan(0);
      const failed = checks.filter((check) => check.status !== "SUCCESS");
      expect(failed, result.stdout).toEqual([]);
      expect(result.code).toBe(0);
    });
  }
});

/** The `checks.json` files the conformance CLI writes under its output directory. */
function readChecks(directory: string): { id?: string; name?: string; status: string }[] {
  const found: { id?: string; name?: string; status: string }[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === "checks.json") {
      const parsed = JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), "utf8")) as unknown;
      found.push(...(Array.isArray(parsed) ? parsed : ((parsed as { checks?: [] }).checks ?? [])));
    }
  }
  return found;
}
