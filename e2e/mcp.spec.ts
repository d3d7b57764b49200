import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { test, expect, signInAs, ensureAllowlisted } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

test.describe("MCP endpoint with an API key", () => {
  let apiKey = "";

  test("a partner member creates an API key on /partner/api-keys and sees it once", async ({ page, browser }) => {
    const admin = await browser.newContext();
    await ensureAllowlisted(await admin.newPage(), "hooli.test");
    await admin.close();

    await signInAs(page, "google", "heidi@hooli.test");
    await page.goto("/partner/api-keys");
    await expect(page.getByText("You have no API keys yet.")).toBeVisible();
    await page.getByLabel("Key name").fill("Claude Desktop");
    await page.getByRole("button", { name: "Create API key" }).click();
    apiKey = (await page.getByTestId("secret-value").textContent())!.trim();
    expect(apiKey).toMatch(/^mg_[0-9A-Za-z]{49}$/);
    await page.reload();
    await expect(page.getByTestId("api-key-Claude Desktop")).toContainText(apiKey.slice(0, 9));
    expect(await page.content()).not.toContain(apiKey);
  });

  test("the official MCP SDK client connects with the key, lists tools and calls list_groups", async ({ baseURL, page }) => {
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseURL}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["whoami", "list_groups", "get_group", "check_membership", "list_clients", "search_audit_log"]));
    const result = await client.callTool({ name: "list_groups", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ total: expect.any(Number), groups: expect.any(Array) });
    const whoami = await client.callTool({ name: "whoami", arguments: {} });
    expect(whoami.structuredContent).toMatchObject({ kind: "api_key", organization: { name: "hooli.test" } });
    await client.close();

    await signInAs(page, "google", "heidi@hooli.test");
    // Uses are counted in memory and written every second (lib/api-keys): the page shows them after the next write.
    await expect(async () => {
      await page.goto("/partner/api-keys");
      await expect(page.getByTestId("api-key-Claude Desktop")).toContainText(/[1-9]\d* requests/, { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await expect(page.getByTestId("api-key-Claude Desktop").getByRole("img")).toHaveAttribute("aria-label", /[1-9]\d* requests in 14 days/);
  });

  test("without a key the endpoint answers 401 with the resource_metadata challenge", async ({ request, baseURL }) => {
    const response = await request.post("/api/mcp", { headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, data: { jsonrpc: "2.0", id: 1, method: "tools/list" } });
    expect(response.status()).toBe(401);
    expect(response.headers()["www-authenticate"]).toBe(`Bearer resource_metadata="${baseURL}/.well-known/oauth-protected-resource/api/mcp"`);
    expect(await response.json()).toEqual({ error: "Unauthorized", message: "Valid API key required. Use Authorization: Bearer mg_... or X-API-Key: mg_..." });
  });

  test("after revocation in the UI the same key gets 401", async ({ page, baseURL }) => {
    await signInAs(page, "google", "heidi@hooli.test");
    await page.goto("/partner/api-keys");
    const card = page.getByTestId("api-key-Claude Desktop");
    await card.getByRole("button", { name: "Revoke" }).click();
    await card.getByRole("button", { name: "Confirm revoke" }).click();
    await expect(page.getByTestId("api-key-Claude Desktop")).toContainText("revoked");

    const client = new Client({ name: "e2e", version: "1.0.0" });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(`${baseURL}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }))).rejects.toThrow(/401|Unauthorized/);
  });
});
