import { test, expect, signInAs, ensureAllowlisted } from "./support/fixtures";

// An owner connects the local Okta through the setup wizard and Okta's own consent page, watches the sync banner
// finish, reads who has access with risk badges, filters, and disconnects (which deletes what was found).
test("an owner connects Okta, watches the first sync, sees risky accounts, and disconnects", async ({ page, browser, sql }) => {
  const admin = await browser.newContext();
  await ensureAllowlisted(await admin.newPage(), "hooli.test");
  await admin.close();
  const heidi = await browser.newContext();
  await signInAs(await heidi.newPage(), "google", "heidi@hooli.test"); // makes sure the partner exists
  await heidi.close();
  const [manager] = await sql<{ email: string }>(
    "SELECT u.email FROM users u JOIN users h ON h.partner_id = u.partner_id WHERE h.email = 'heidi@hooli.test' AND u.partner_role IN ('owner', 'admin') ORDER BY u.email LIMIT 1",
  );
  await signInAs(page, "google", manager!.email);

  await page.goto("/partner/integrations");
  await expect(page.getByRole("heading", { name: "Integrations" })).toBeVisible();
  await page.getByRole("link", { name: "Add an integration" }).click();
  await page.getByRole("link", { name: "Connect Okta" }).click();
  const name = `Okta e2e ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Okta domain").fill(`${process.env.E2E_DIRECTORIES_URL}/okta/acme-e2e`);
  await page.getByRole("button", { name: "Continue" }).click();

  // The wizard's connect step, then Okta's consent page (the local emulator), then back to Gatehouse.
  await expect(page.getByRole("heading", { name: `Connect ${name}` })).toBeVisible();
  await page.getByRole("button", { name: "Connect with Okta" }).click();
  await expect(page.getByRole("heading", { name: /Okta \(local\): Gatehouse wants read-only access/ })).toBeVisible();
  await expect(page.getByText("okta.users.read")).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();

  await expect(page).toHaveURL(/\/partner\/integrations\/[^/?]+\?connected=1$/);
  await expect(page.getByTestId("integration-status")).toContainText("Okta · Connected");
  const banner = page.getByTestId("sync-banner");
  await expect(banner).toHaveAttribute("data-status", /queued|running/);
  await expect(banner).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(banner).toContainText("Sync finished.");

  // Who has access, riskiest first, each with its badge and reasons.
  const rows = page.getByTestId("resource-row");
  await expect(rows.first()).toBeVisible();
  await expect(rows.first().getByTestId("risk-high")).toBeVisible();
  await page.getByRole("combobox", { name: "Risk" }).selectOption("high");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/risk=high/);
  await expect(rows.filter({ hasNot: page.getByTestId("risk-high") })).toHaveCount(0);
  await expect(rows.first().getByTestId("risk-high")).toBeVisible();
  await expect(page.getByRole("list", { name: "Sync history" })).toContainText("succeeded");
  await expect(page.getByRole("list", { name: "Integration audit" })).toContainText("integration.connected");

  // Disconnect, behind a confirmation: the list no longer shows it and its resources are gone.
  const integrationId = /\/partner\/integrations\/([^/?]+)/.exec(page.url())![1]!;
  await page.getByRole("button", { name: "Disconnect and delete data" }).click();
  await page.getByRole("button", { name: "Disconnect", exact: true }).click();
  await expect(page).toHaveURL(/\/partner\/integrations\?disconnected=1$/);
  await expect(page.getByText("The integration was disconnected and its data deleted.")).toBeVisible();
  await expect(page.getByRole("link", { name })).toHaveCount(0);
  const [left] = await sql<{ count: string }>("SELECT count(*) FROM integration_resources WHERE integration_id = $1", [integrationId]);
  expect(Number(left!.count)).toBe(0);
});
