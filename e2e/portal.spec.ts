import { test, expect, signInAs, ensureAllowlisted } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

test.describe("client portal", () => {
  let portalUrl = "";

  test("a partner creates a client, projects and a portal link", async ({ page, browser }) => {
    const admin = await browser.newContext();
    await ensureAllowlisted(await admin.newPage(), "hooli.test");
    await admin.close();

    await signInAs(page, "google", "grace@hooli.test");
    await page.goto("/partner/clients");
    await page.getByLabel("Client name").fill("Acme Corp");
    await page.getByRole("button", { name: "Create client" }).click();
    await expect(page.getByRole("list", { name: "Clients" })).toContainText("Acme Corp");

    await page.goto("/partner/projects");
    await page.getByLabel("Project name").fill("Website relaunch");
    await page.getByRole("combobox", { name: "Client" }).selectOption({ label: "Acme Corp" });
    await page.getByLabel("Notes for the client (shown in the portal)").fill("Design review on Friday.");
    await page.getByRole("button", { name: "Create project" }).click();
    await expect(page.getByRole("list", { name: "Projects" })).toContainText("Website relaunch");
    await page.getByLabel("Project name").fill("Internal tooling");
    await page.getByRole("combobox", { name: "Client" }).selectOption({ label: "No client yet" });
    await page.getByRole("button", { name: "Create project" }).click();
    await expect(page.getByRole("list", { name: "Projects" })).toContainText("Internal tooling");

    await page.goto("/partner/clients");
    await page.getByRole("link", { name: "Acme Corp" }).click();
    await page.getByLabel("Label").fill("Jane at Acme");
    await page.getByRole("button", { name: "Create link" }).click();
    portalUrl = (await page.getByTestId("secret-value").textContent())!.trim();
    expect(portalUrl).toMatch(/\/portal\/enter\/gpl_[0-9A-Za-z]{49}$/);
    await page.reload();
    await expect(page.getByTestId("link-Jane at Acme")).toContainText("active");
    expect(await page.content()).not.toContain(portalUrl);
  });

  test("the client opens the link in a fresh browser and sees exactly their projects", async ({ browser }) => {
    const client = await browser.newContext();
    const page = await client.newPage();
    await page.goto(portalUrl);
    await expect(page).toHaveURL(/\/portal$/); // the secret left the address bar
    await expect(page.getByTestId("portal-client-name")).toHaveText("Acme Corp");
    const projects = page.getByRole("list", { name: "Projects" });
    await expect(projects).toContainText("Website relaunch");
    await expect(projects).not.toContainText("Internal tooling");
    await page.getByRole("link", { name: "Website relaunch" }).click();
    await expect(page.getByText("Design review on Friday.")).toBeVisible();
    await expect(page.getByTestId("preview-banner")).toHaveCount(0);
    await client.storageState({ path: ".data/test-results/portal-client.json" });
    await client.close();
  });

  test("revoking the link ends the client's live session on the next page load", async ({ page, browser }) => {
    const client = await browser.newContext({ storageState: ".data/test-results/portal-client.json" });
    const clientPage = await client.newPage();
    await clientPage.goto("/portal");
    await expect(clientPage.getByTestId("portal-client-name")).toHaveText("Acme Corp");

    await signInAs(page, "google", "grace@hooli.test");
    await page.goto("/partner/clients");
    await page.getByRole("link", { name: "Acme Corp" }).click();
    const link = page.getByTestId("link-Jane at Acme");
    await link.getByRole("button", { name: "Revoke" }).click();
    await link.getByRole("button", { name: "Confirm revoke" }).click();
    await expect(page.getByTestId("link-Jane at Acme")).toContainText("revoked");

    const reloaded = await clientPage.goto("/portal");
    expect(reloaded?.status()).toBe(401);
    await expect(clientPage.getByRole("heading", { level: 1 })).toHaveText("This portal link is not valid");
    const api = await clientPage.request.get("/portal/api/projects");
    expect(api.status()).toBe(401);
    const again = await clientPage.goto(portalUrl);
    expect(again?.status()).toBe(403);
    await client.close();
  });

  test("'View client portal' opens a marked preview for a project without a client", async ({ page }) => {
    await signInAs(page, "google", "grace@hooli.test");
    await page.goto("/partner/projects");
    await page.getByRole("link", { name: "Internal tooling" }).click();
    await page.getByRole("button", { name: "View client portal" }).click();
    await expect(page).toHaveURL(/\/portal$/);
    await expect(page.getByTestId("preview-banner")).toContainText("Preview");
    await expect(page.getByRole("list", { name: "Projects" })).toContainText("Internal tooling");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are signed out of the portal");
    const after = await page.goto("/portal");
    expect(after?.status()).toBe(401);
  });
});
