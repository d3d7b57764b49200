import { LOCAL_IDP_TENANTS } from "../scripts/lib/local-idp.ts";
import { test, expect, signInAs, ensureAllowlisted, receivedMail } from "./support/fixtures";

// erin and frank share the contoso Entra tenant; allow-listed, erin's first sign-in creates an approved partner she owns.
test.describe("partner teams", () => {
  test.beforeAll(async ({ browser }) => {
    const admin = await browser.newContext();
    await ensureAllowlisted(await admin.newPage(), LOCAL_IDP_TENANTS.contoso);
    await admin.close();
  });

  test("an owner removes a member who is signed in elsewhere; that browser's next page load is the sign-in page", async ({ page, browser, sql }) => {
    await signInAs(page, "microsoft", "erin@contoso.test");
    await expect(page).toHaveURL(/\/partner\/dashboard/);
    const frankContext = await browser.newContext();
    const frank = await frankContext.newPage();
    await signInAs(frank, "microsoft", "frank@contoso.test");
    await expect(frank).toHaveURL(/\/partner\/dashboard/);

    await page.goto("/partner/members");
    const row = page.getByTestId("member-frank@contoso.test");
    await expect(row).toContainText("member");
    await row.getByRole("button", { name: "Remove" }).click();
    await row.getByRole("button", { name: "Confirm remove" }).click();
    // The list re-renders without frank.
    await expect(page.getByTestId("member-frank@contoso.test")).toHaveCount(0);
    expect(await sql(`SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'frank@contoso.test'`)).toHaveLength(0);

    await frank.reload();
    await expect(frank).toHaveURL(/\/sign-in/);
    await expect(frank.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
    const [removed] = await sql<{ partner_id: string | null }>(`SELECT partner_id FROM users WHERE email = 'frank@contoso.test'`);
    expect(removed!.partner_id).toBeNull();
    await frankContext.close();
  });

  test("the signed-in devices list on /me signs another device out", async ({ page, browser }) => {
    const other = await browser.newContext();
    await signInAs(await other.newPage(), "microsoft", "erin@contoso.test");
    await signInAs(page, "microsoft", "erin@contoso.test");
    await page.goto("/me");
    const devices = page.getByRole("list", { name: "Signed-in devices" });
    await expect(devices.getByTestId("device").filter({ hasText: "(this device)" })).toHaveCount(1);
    const others = devices.getByTestId("device").filter({ hasNotText: "(this device)" });
    const count = await others.count();
    expect(count).toBeGreaterThan(0);
    await others.first().getByRole("button", { name: "Sign out this device" }).click();
    await others.first().getByRole("button", { name: "Confirm sign-out" }).click();
    // The list re-renders with one device fewer (this one plus count - 1 others).
    await expect(devices.getByTestId("device")).toHaveCount(count);
    await other.close();
  });

  test("an invited GitHub user joins through the emulator; an uninvited one sees why not", async ({ page, browser }) => {
    await signInAs(page, "microsoft", "erin@contoso.test");
    await page.goto("/partner/members");
    await page.getByLabel("Email to invite").fill("ivy@hooli.test");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await expect(page.getByTestId("invitation-ivy@hooli.test")).toBeVisible();
    await expect.poll(() => receivedMail().some((m) => m.to.includes("ivy@hooli.test") && m.subject.includes("invited"))).toBe(true);

    for (const [login, outcome] of [["nina-gh", "denied"], ["ivy-gh", "joined"]] as const) {
      const context = await browser.newContext();
      const gitHubUser = await context.newPage();
      await gitHubUser.goto("/sign-in");
      await gitHubUser.getByRole("button", { name: /Continue with GitHub/ }).click();
      await gitHubUser.getByRole("button", { name: `Sign in as ${login}` }).click();
      if (outcome === "denied") {
        await expect(gitHubUser.getByRole("heading", { name: "GitHub sign-in needs an invitation" })).toBeVisible();
      } else {
        await expect(gitHubUser).toHaveURL(/\/partner\/dashboard/);
      }
      await context.close();
    }
    await page.reload();
    await expect(page.getByTestId("member-ivy@hooli.test")).toContainText("member");
    await expect(page.getByTestId("invitation-ivy@hooli.test")).toHaveCount(0);
  });
});
