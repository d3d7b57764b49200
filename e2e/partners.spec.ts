import { test, expect, signInAs, receivedMail } from "./support/fixtures";

// One story, in order: signup → pending → admin approval → dashboard → colleague joins; then the allowlist,
// rejection, personal accounts and admin-only areas.
test.describe.configure({ mode: "serial" });

test.describe("partner signup and approval", () => {
  test("a Google Workspace user signs up, sees that approval is pending, and the admins are emailed", async ({ page, sql }) => {
    await signInAs(page, "google", "alice@acme.test");
    await expect(page).toHaveURL(/\/partner\/status$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your organisation is awaiting approval");
    await expect(page.getByText("A Gatehouse administrator has been notified")).toBeVisible();

    const partners = await sql(`SELECT status, idp_organization FROM partners WHERE idp_organization = 'acme.test'`);
    expect(partners).toEqual([{ status: "pending_approval", idp_organization: "acme.test" }]);
    await expect
      .poll(() => receivedMail().filter((m) => m.subject === "New partner awaiting approval: acme.test"))
      .toEqual([expect.objectContaining({ to: ["admin@fabrikam.test"], text: expect.stringContaining("alice@acme.test") })]);
  });

  test("the admin (an Entra user) approves in the UI and the partner's next page load shows the dashboard", async ({ page, browser }) => {
    const alice = await browser.newContext();
    const alicePage = await alice.newPage();
    await signInAs(alicePage, "google", "alice@acme.test");
    await expect(alicePage).toHaveURL(/\/partner\/status$/);

    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await expect(page).toHaveURL(/\/admin\/partners/);
    const card = page.getByTestId("partner-acme.test");
    await expect(card).toContainText("owner alice@acme.test");
    await card.getByRole("button", { name: "Approve" }).click();
    await card.getByRole("button", { name: "Confirm approval" }).click();
    await expect(card).toHaveCount(0); // it left the pending tab

    await page.goto("/admin/partners?tab=approved");
    await expect(page.getByTestId("partner-acme.test").getByTestId("approval")).toContainText("Approved by admin@fabrikam.test");

    await alicePage.goto("/partner/status"); // her next page load
    await expect(alicePage).toHaveURL(/\/partner\/dashboard$/);
    await expect(alicePage.getByTestId("partner-name")).toHaveText("acme.test");
    await expect
      .poll(() => receivedMail().filter((m) => m.subject === "acme.test is approved on Gatehouse").map((m) => m.to))
      .toEqual([["alice@acme.test"]]);
    await alice.close();
  });

  test("the admin sees every email and its delivery state on /admin/outbox", async ({ page }) => {
    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Outbox" }).click();
    const mail = page.getByRole("listitem").filter({ hasText: "New partner awaiting approval: acme.test" });
    await expect(mail).toContainText("To admin@fabrikam.test");
    await expect(mail).toContainText("sent");
  });

  test("a colleague from the same Workspace domain joins the same partner", async ({ page, sql }) => {
    await signInAs(page, "google", "bob@acme.test");
    await expect(page).toHaveURL(/\/partner\/dashboard$/);
    await expect(page.getByTestId("member-list")).toContainText("alice@acme.test");
    await expect(page.getByTestId("member-list")).toContainText("bob@acme.test");
    const rows = await sql(`SELECT count(DISTINCT u.partner_id)::int AS partners FROM users u WHERE u.email IN ('alice@acme.test', 'bob@acme.test')`);
    expect(rows[0]!.partners).toBe(1);
    expect(await sql(`SELECT 1 FROM partners WHERE idp_organization = 'acme.test'`)).toHaveLength(1);
  });

  test("an allow-listed domain is approved at first sign-in without an admin", async ({ page, browser, sql }) => {
    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await page.goto("/admin/partners/domains");
    await page.getByLabel("Domain or Entra tenant id").fill("contoso.test");
    await page.getByRole("button", { name: "Add to allowlist" }).click();
    await expect(page.getByRole("status")).toHaveText("Added contoso.test to the allowlist.");
    await expect(page.getByRole("list", { name: "Allowlisted domains and tenants" })).toContainText("contoso.test");

    const erin = await browser.newContext();
    const erinPage = await erin.newPage();
    await signInAs(erinPage, "microsoft", "erin@contoso.test");
    await expect(erinPage).toHaveURL(/\/partner\/dashboard$/);
    const audit = await sql(
      `SELECT a.metadata FROM audit_events a JOIN partners p ON p.id = a.partner_id WHERE a.action = 'partner.approved' AND p.primary_domain = 'contoso.test'`,
    );
    expect(audit).toEqual([{ metadata: { reason: "auto-approved by domain", domain: "contoso.test" } }]);
    await erin.close();
  });

  test("a rejected signup shows the reason to its members", async ({ page, browser }) => {
    const carol = await browser.newContext();
    const carolPage = await carol.newPage();
    await signInAs(carolPage, "google", "carol@globex.test");
    await expect(carolPage.getByRole("heading", { level: 1 })).toHaveText("Your organisation is awaiting approval");

    await signInAs(page, "microsoft", "admin@fabrikam.test");
    const card = page.getByTestId("partner-globex.test");
    await card.getByRole("button", { name: "Reject" }).click();
    await card.getByLabel("Reason (shown to the partner)").fill("We only work with resellers in the EU.");
    await card.getByRole("button", { name: "Confirm rejection" }).click();
    await expect(card).toHaveCount(0);
    await page.goto("/admin/partners?tab=rejected");
    await expect(page.getByTestId("partner-globex.test")).toContainText("We only work with resellers in the EU.");

    await carolPage.goto("/partner/status");
    await expect(carolPage.getByRole("heading", { level: 1 })).toHaveText("Your organisation's signup was not approved");
    await expect(carolPage.getByTestId("rejection-reason")).toHaveText("Reason: We only work with resellers in the EU.");
    await carol.close();
  });

  test("a personal Google account is refused with a clear page", async ({ page, sql }) => {
    await signInAs(page, "google", "gina@gmail.test");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Personal accounts can't sign up");
    expect(await sql(`SELECT 1 FROM users WHERE email = 'gina@gmail.test'`)).toHaveLength(0);
  });

  test("a partner user gets a 403 page for admin pages and a 404 from the admin API", async ({ page }) => {
    await signInAs(page, "google", "bob@acme.test");
    const response = await page.goto("/admin/partners");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("You do not have access to this page");
    const api = await page.request.get("/api/admin/partners");
    expect(api.status()).toBe(404);
  });
});
