import { test, expect, signInAs, callbackUrlFor } from "./support/fixtures";

test.describe("sign-in through the local OpenID Connect issuer", () => {
  test("the home page explains Gatehouse and links to sign-in", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Gatehouse decides who gets in");
    await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
    await expect(page.getByRole("button", { name: "Continue with Google" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Continue with Microsoft" })).toBeVisible();
  });

  test("an anonymous visitor of /me is sent to sign-in", async ({ page }) => {
    await page.goto("/me");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fme/);
  });

  test("a Google Workspace user signs in and sees who they are", async ({ page, sql }) => {
    await signInAs(page, "google", "alice@acme.test");
    await expect(page).toHaveURL(/\/partner\/(status|dashboard)$/);
    await page.goto("/me");
    await expect(page.getByTestId("identity-email")).toHaveText("alice@acme.test");
    await expect(page.getByTestId("account-google")).toContainText("Workspace domain: acme.test");
    const events = await sql(
      `SELECT a.metadata FROM audit_events a JOIN users u ON u.id = a.actor_id WHERE a.action = 'auth.sign_in' AND u.email = $1 ORDER BY a.occurred_at DESC`,
      ["alice@acme.test"],
    );
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]!.metadata).toMatchObject({ provider: "google", idpOrganization: "acme.test" });
  });

  test("a Microsoft Entra ID user signs in and sees their tenant", async ({ page }) => {
    await signInAs(page, "microsoft", "erin@contoso.test");
    await expect(page).toHaveURL(/\/partner\/(status|dashboard)$/);
    await page.goto("/me");
    await expect(page.getByTestId("identity-email")).toHaveText("erin@contoso.test");
    await expect(page.getByTestId("account-microsoft-entra-id")).toContainText(/Tenant: [0-9a-f-]{36}/);
  });

  test("an email listed in ADMIN_EMAILS becomes an admin at first sign-in", async ({ page }) => {
    await signInAs(page, "microsoft", "admin@fabrikam.test");
    await expect(page).toHaveURL(/\/admin\/partners/);
    await page.goto("/me");
    await expect(page.getByTestId("identity-email")).toHaveText("admin@fabrikam.test");
    await expect(page.getByTestId("identity-role")).toHaveText("admin");
  });

  test("a tampered state shows a clear error page, signs nobody in, and is audited", async ({ page, sql, context }) => {
    const before = await sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.sign_in_failed'`);
    const sessionsBefore = await sql(`SELECT count(*)::int AS n FROM sessions`);
    const callback = await callbackUrlFor(page, "google", "bob@acme.test");
    callback.searchParams.set("state", `${callback.searchParams.get("state")}tampered`);
    await page.goto(callback.toString());
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not verify that sign-in");
    const cookies = await context.cookies();
    expect(cookies.some((c) => c.name.endsWith("authjs.session-token"))).toBe(false);
    expect((await sql(`SELECT count(*)::int AS n FROM sessions`))[0]!.n).toBe(sessionsBefore[0]!.n);
    await expect
      .poll(async () => (await sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.sign_in_failed'`))[0]!.n)
      .toBeGreaterThan(before[0]!.n);
  });

  test("an authorization response from the wrong issuer is refused (RFC 9207 mix-up defence)", async ({ page, context, sql }) => {
    const before = await sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.sign_in_failed'`);
    const sessionsBefore = await sql(`SELECT count(*)::int AS n FROM sessions`);
    const callback = await callbackUrlFor(page, "google", "carol@globex.test");
    expect(callback.searchParams.get("iss")).toMatch(/\/google$/);
    // The Entra issuer is a real, trusted issuer, but not the one this sign-in was started with.
    callback.searchParams.set("iss", callback.searchParams.get("iss")!.replace(/\/google$/, "/entra/v2.0"));
    await page.goto(callback.toString());
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("We could not verify that sign-in");
    expect((await context.cookies()).some((c) => c.name.endsWith("authjs.session-token"))).toBe(false);
    expect((await sql(`SELECT count(*)::int AS n FROM sessions`))[0]!.n).toBe(sessionsBefore[0]!.n);
    await expect
      .poll(async () => (await sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.sign_in_failed'`))[0]!.n)
      .toBeGreaterThan(before[0]!.n);
  });

  test("a replayed callback is refused and creates no second session", async ({ page, browser, sql }) => {
    let callbackUrl = "";
    page.on("request", (request) => {
      if (request.url().includes("/api/auth/callback/microsoft-entra-id")) callbackUrl = request.url();
    });
    await signInAs(page, "microsoft", "frank@contoso.test");
    await expect(page).toHaveURL(/\/partner\/(status|dashboard)$/);
    expect(callbackUrl).toContain("code=");
    const sessionsBefore = await sql(`SELECT count(*)::int AS n FROM sessions`);

    const attacker = await browser.newContext();
    const replay = await attacker.newPage();
    await replay.goto(callbackUrl);
    await expect(replay.getByRole("heading", { level: 1 })).toHaveText("We could not verify that sign-in");
    expect((await attacker.cookies()).some((c) => c.name.endsWith("authjs.session-token"))).toBe(false);
    expect((await sql(`SELECT count(*)::int AS n FROM sessions`))[0]!.n).toBe(sessionsBefore[0]!.n);
    await attacker.close();
  });

  test("signing out ends the session", async ({ page, sql, context }) => {
    await signInAs(page, "google", "carol@globex.test");
    await page.goto("/me");
    await expect(page.getByTestId("identity-email")).toHaveText("carol@globex.test");
    const token = (await context.cookies()).find((c) => c.name.endsWith("authjs.session-token"))!.value;
    expect(await sql(`SELECT 1 FROM sessions WHERE session_token = $1`, [token])).toHaveLength(1);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await page.goto("/me");
    await expect(page).toHaveURL(/\/sign-in/);
    expect(await sql(`SELECT 1 FROM sessions WHERE session_token = $1`, [token])).toHaveLength(0);
  });
});

test.describe("sign-in rate limit", () => {
  test("a network over its sign-in budget sees a clear page instead of reaching the identity provider", async ({ page, sql }) => {
    // Spend this machine's budget (the app sees loopback as one of these, depending on the resolver).
    const keys = ["sign-in:ip:127.0.0.1", "sign-in:ip:::1", "sign-in:ip:::ffff:127.0.0.1"];
    for (const key of keys) {
      await sql(`INSERT INTO rate_limit_buckets (key, window_start, count) VALUES ($1, now(), 1000000) ON CONFLICT (key) DO UPDATE SET window_start = now(), count = 1000000`, [key]);
    }
    try {
      await page.goto("/sign-in");
      await page.getByRole("button", { name: "Continue with Google" }).click();
      await expect(page).toHaveURL(/\/sign-in\/error\?error=RateLimited$/);
      await expect(page.getByRole("heading", { name: "Too many sign-in attempts" })).toBeVisible();
    } finally {
      await sql(`DELETE FROM rate_limit_buckets WHERE key = ANY($1)`, [keys]);
    }
  });
});
