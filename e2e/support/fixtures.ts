/**
 * Shared e2e helpers: the app URL from global setup, a database handle for assertions, and sign-in through the
 * local OpenID Connect issuer exactly as a person would (click the provider, pick the test account).
 */
import { test as base, expect, type Page } from "@playwright/test";
import { existsSync, readFileSync } from "node:fs";
import pg from "pg";

export const test = base.extend<{ sql: <T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<T[]> }>({
  baseURL: async ({}, use) => {
    await use(process.env.E2E_BASE_URL);
  },
  sql: async ({}, use) => {
    const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await client.connect();
    await use(async (text, values) => (await client.query(text, values)).rows);
    await client.end();
  },
});
export { expect };

/** Signs in through the local issuer: "Continue with …" on Gatehouse, then the test account on the issuer's page. */
export async function signInAs(page: Page, provider: "google" | "microsoft", email: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: provider === "google" ? "Continue with Google" : "Continue with Microsoft" }).click();
  await page.getByRole("button", { name: `Sign in as ${email}` }).click();
}

/**
 * Runs the identity-provider half of a sign-in and returns the callback URL the provider redirects to,
 * without letting the browser follow it (Playwright cannot intercept redirect hops). The requests share the
 * browser context's cookies, so Auth.js's state/PKCE cookies are in place when the test visits the URL.
 */
export async function callbackUrlFor(page: Page, provider: "google" | "microsoft", email: string): Promise<URL> {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: provider === "google" ? "Continue with Google" : "Continue with Microsoft" }).click();
  const button = page.getByRole("button", { name: `Sign in as ${email}` });
  const userId = await button.getAttribute("value");
  const action = new URL((await page.locator("form").first().getAttribute("action"))!, page.url());
  let response = await page.request.post(action.toString(), { form: { user: userId! }, maxRedirects: 0 });
  for (let hop = 0; hop < 5; hop++) {
    const location = new URL(response.headers().location!, response.url());
    if (location.pathname.startsWith("/api/auth/callback/")) return location;
    response = await page.request.get(location.toString(), { maxRedirects: 0 });
  }
  throw new Error("the identity provider never redirected back to Gatehouse");
}

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

/** Every email the SMTP sink (started by global setup) has received so far. */
export function receivedMail(): ReceivedMail[] {
  const file = process.env.E2E_MAIL_FILE;
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReceivedMail);
}

/** As the admin, puts a domain on the allowlist unless it is already there (specs may run in any order). */
export async function ensureAllowlisted(page: Page, domain: string): Promise<void> {
  await signInAs(page, "microsoft", "admin@fabrikam.test");
  await page.goto("/admin/partners/domains");
  const list = page.getByRole("list", { name: "Allowlisted domains and tenants" });
  if ((await list.count()) > 0 && (await list.textContent())?.includes(domain)) return;
  await page.getByLabel("Domain or Entra tenant id").fill(domain);
  await page.getByRole("button", { name: "Add to allowlist" }).click();
  await expect(page.getByRole("list", { name: "Allowlisted domains and tenants" })).toContainText(domain);
}
