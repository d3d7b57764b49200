import { test, expect, signInAs, ensureAllowlisted } from "./support/fixtures";

// An OAuth client obtains an API key through POST /auth/client; an owner (or admin) of its partner sees that key on
// /partner/api-keys under "All keys of …" and revokes it; the key's next request is 401.
test("an owner sees a client-issued key among all keys of the partner and revokes it", async ({ page, browser, request, sql }) => {
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await ensureAllowlisted(adminPage, "hooli.test");
  const heidi = await browser.newContext();
  await signInAs(await heidi.newPage(), "google", "heidi@hooli.test"); // makes sure the partner exists
  await heidi.close();

  await adminPage.goto("/admin/oauth-clients");
  await adminPage.getByLabel("Name", { exact: true }).fill("Desktop MCP e2e");
  await adminPage.getByLabel("Partner (tenant)").selectOption({ label: "hooli.test" });
  await adminPage.locator('input[name="scopes"][value="mcp:tools"]').check();
  await adminPage.getByRole("button", { name: "Register client" }).click();
  const status = adminPage.getByRole("status");
  await expect(status).toContainText("Registered Desktop MCP e2e. client_id: gc_");
  const clientId = /client_id: (gc_[A-Za-z0-9_-]{22})/.exec((await status.textContent()) ?? "")![1]!;
  const clientSecret = (await adminPage.getByTestId("secret-value").textContent())!.trim();
  await admin.close();

  const exchange = await request.post("/auth/client", { data: { client_id: clientId, client_secret: clientSecret } });
  expect(exchange.status()).toBe(201);
  const { api_key: apiKey, key_prefix: keyPrefix } = (await exchange.json()) as { api_key: string; key_prefix: string };
  const me = await request.get("/auth/me", { headers: { authorization: `Bearer ${apiKey}` } });
  expect(await me.json()).toMatchObject({ kind: "api_key", owner: { kind: "oauth_client", client_id: clientId, name: "Desktop MCP e2e" } });

  // Whoever signed in first for hooli.test became its owner (specs may run in any order).
  const [manager] = await sql<{ email: string }>(
    "SELECT u.email FROM users u JOIN users h ON h.partner_id = u.partner_id WHERE h.email = 'heidi@hooli.test' AND u.partner_role IN ('owner', 'admin') ORDER BY u.email LIMIT 1",
  );
  await signInAs(page, "google", manager!.email);
  await page.goto("/partner/api-keys");
  await expect(page.getByRole("heading", { name: "All keys of hooli.test" })).toBeVisible();
  const row = page.getByTestId(`partner-api-key-${keyPrefix}`);
  await expect(row).toContainText("OAuth client Desktop MCP e2e");
  await expect(row).toContainText("active");
  expect(await page.content()).not.toContain(apiKey);
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Confirm revoke" }).click();
  await expect(page.getByTestId(`partner-api-key-${keyPrefix}`)).toContainText("revoked");

  expect((await request.get("/auth/me", { headers: { authorization: `Bearer ${apiKey}` } })).status()).toBe(401);
});
