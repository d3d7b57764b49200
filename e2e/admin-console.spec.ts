import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { test, expect, signInAs } from "./support/fixtures";

test.describe("admin console", () => {
  test("an admin finds an action in the audit log, opens its partner, and exports the filtered range as CSV", async ({ page, sql }) => {
    const tag = randomBytes(4).toString("hex");
    const partnerId = `e2e-console-${tag}`;
    const action = `e2e.found_${tag}`;
    await sql(`INSERT INTO partners (id, name, status, updated_at) VALUES ($1, $2, 'approved', now())`, [partnerId, `Console Partner ${tag}`]);
    await sql(
      `INSERT INTO audit_events (id, action, actor_type, partner_id, target_type, target_id, metadata)
       VALUES (gen_random_uuid(), $1, 'system', $2, 'partner', $2, '{"note": "=1+1"}'), (gen_random_uuid(), 'e2e.noise', 'system', $2, 'partner', $2, '{}')`,
      [action, partnerId],
    );

    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Audit log");
    await page.getByLabel("Action").fill(action);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(new RegExp(`action=${action.replace(".", "\\.")}`));
    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(action);

    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^gatehouse-audit-.*\.csv$/);
    const lines = readFileSync((await download.path())!, "utf8").split("\r\n").filter(Boolean);
    expect(lines[0]).toMatch(/^occurred_at,id,action,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,${action},`);

    await rows.first().getByRole("link", { name: `Console Partner ${tag}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Console Partner ${tag}`);
    await expect(page.getByRole("table", { name: "Latest audit events" })).toContainText(action);
  });

  test("another id on /admin/partners/{id} is a 404 page", async ({ page }) => {
    await signInAs(page, "microsoft", "admin@fabrikam.test");
    const response = await page.goto("/admin/partners/no-such-partner");
    expect(response?.status()).toBe(404);
  });

  test("robots.txt and the favicon are served without a session, and keep crawlers out of the signed-in areas", async ({ request }) => {
    const robots = await request.get("/robots.txt", { maxRedirects: 0 });
    expect(robots.status()).toBe(200);
    const text = await robots.text();
    for (const area of ["/admin", "/partner", "/me", "/portal", "/projects", "/api", "/oauth", "/auth"]) expect(text).toContain(`Disallow: ${area}\n`);
    expect(text).toContain("Allow: /");
    const favicon = await request.get("/favicon.svg", { maxRedirects: 0 });
    expect(favicon.status()).toBe(200);
    expect(favicon.headers()["content-type"]).toContain("image/svg+xml");
  });
});
