import { test, expect, signInAs } from "./support/fixtures";

// An admin registers an OAuth client for an approved partner; the partner builds a group in the UI; the client's
// service gets a token over real HTTP and checks membership, exactly as a chat backend would.
test.describe.configure({ mode: "serial" });

test.describe("OAuth clients and groups", () => {
  let clientId = "";
  let clientSecret = "";
  let groupId = "";

  test("an approved partner creates a group and adds colleagues in the UI", async ({ page, browser }) => {
    // grace and heidi share the hooli.test Workspace; allow-list it so they are approved at first sign-in.
    const admin = await browser.newContext();
    const adminPage = await admin.newPage();
    await signInAs(adminPage, "microsoft", "admin@fabrikam.test");
    await adminPage.goto("/admin/partners/domains");
    await adminPage.getByLabel("Domain or Entra tenant id").fill("hooli.test");
    await adminPage.getByRole("button", { name: "Add to allowlist" }).click();
    await expect(adminPage.getByRole("list", { name: "Allowlisted domains and tenants" })).toContainText("hooli.test");
    await admin.close();

    const heidi = await browser.newContext();
    await signInAs(await heidi.newPage(), "google", "heidi@hooli.test");
    await heidi.close();

    await signInAs(page, "google", "grace@hooli.test");
    await expect(page).toHaveURL(/\/partner\/dashboard$/);
    await page.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: "Groups" }).click();
    await expect(page.getByText("No groups yet")).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill("Support chat");
    await page.getByRole("button", { name: "Create group" }).click();
    await expect(page.getByRole("status")).toHaveText("Created Support chat.");
    await page.getByRole("link", { name: "Support chat" }).click();
    await page.getByLabel("Colleague").selectOption({ label: "heidi@hooli.test" });
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByTestId("member-heidi@hooli.test")).toBeVisible();
    groupId = new URL(page.url()).pathname.split("/").at(-1)!;

    await page.getByLabel("Colleague").selectOption({ label: "grace@hooli.test" });
    await page.getByRole("button", { name: "Add member" }).click();
    const grace = page.getByTestId("member-grace@hooli.test");
    await grace.getByRole("button", { name: "Remove" }).click();
    await grace.getByRole("button", { name: "Confirm removal" }).click();
    await expect(page.getByTestId("member-grace@hooli.test")).toHaveCount(0);
    await expect(page.getByTestId("member-heidi@hooli.test")).toBeVisible();
  });

  test("an admin registers an OAuth client and sees its secret once", async ({ page }) => {
    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await page.goto("/admin/oauth-clients");
    await page.getByLabel("Name", { exact: true }).fill("Chat backend");
    await page.getByLabel("Partner (tenant)").selectOption({ label: "hooli.test" });
    await page.getByRole("button", { name: "Register client" }).click();
    const status = page.getByRole("status");
    await expect(status).toContainText("Registered Chat backend. client_id: gc_");
    clientId = /client_id: (gc_[A-Za-z0-9_-]{22})/.exec((await status.textContent()) ?? "")![1]!;
    clientSecret = (await page.getByTestId("secret-value").textContent())!.trim();
    expect(clientSecret).toMatch(/^gcs_[0-9A-Za-z]{49}$/);

    await page.reload();
    await expect(page.getByTestId("client-Chat backend")).toContainText(clientId);
    await expect(page.getByTestId("secret-value")).toHaveCount(0); // never shown again
    expect(await page.content()).not.toContain(clientSecret);
  });

  test("the service gets a token and checks membership over HTTP; revoking it ends access", async ({ request, sql }) => {
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    const tokenResponse = await request.post("/oauth/token", { headers: { authorization: basic }, form: { grant_type: "client_credentials", scope: "groups:read members:read" } });
    expect(tokenResponse.status()).toBe(200);
    expect(tokenResponse.headers()["cache-control"]).toBe("no-store");
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${access_token}` };

    const group = await request.get(`/api/auth/groups/${groupId}`, { headers: auth });
    expect(await group.json()).toMatchObject({ name: "Support chat", member_count: 1 });
    const [heidi] = await sql<{ id: string }>(`SELECT id FROM users WHERE email = 'heidi@hooli.test'`);
    const [grace] = await sql<{ id: string }>(`SELECT id FROM users WHERE email = 'grace@hooli.test'`);
    expect((await request.get(`/api/auth/groups/${groupId}/members/${heidi!.id}`, { headers: auth })).status()).toBe(200);
    expect((await request.get(`/api/auth/groups/${groupId}/members/${grace!.id}`, { headers: auth })).status()).toBe(404);

    expect((await request.post("/oauth/revoke", { headers: { authorization: basic }, form: { token: access_token } })).status()).toBe(200);
    const after = await request.get(`/api/auth/groups/${groupId}`, { headers: auth });
    expect(after.status()).toBe(401);
    expect(after.headers()["www-authenticate"]).toContain('error="invalid_token"');
  });

  test("disabling the client in the UI stops new tokens", async ({ page, request }) => {
    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await page.goto("/admin/oauth-clients");
    const card = page.getByTestId("client-Chat backend");
    await card.getByRole("button", { name: "Disable" }).click();
    await card.getByRole("button", { name: "Confirm disable" }).click();
    await expect(page.getByTestId("client-Chat backend")).toContainText("disabled");
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    const refused = await request.post("/oauth/token", { headers: { authorization: basic }, form: { grant_type: "client_credentials" } });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ error: "invalid_client" });
  });
});
