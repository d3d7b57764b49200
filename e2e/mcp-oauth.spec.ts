/**
 * An MCP client connects the way the MCP authorization spec (2025-11-25) says, with the official SDK's own OAuth
 * code: discovery from the 401 (RFC 9728, RFC 8414) → registration (RFC 7591, or a Client ID Metadata Document) →
 * the person signs in and consents in Chromium → code + PKCE → token → tools/list → refresh → disconnect in the UI →
 * 401.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Page } from "@playwright/test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { test, expect, ensureAllowlisted, signInAs } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

/** What an MCP client keeps between runs, in memory: the SDK's OAuthClientProvider contract. */
class TestOAuthProvider {
  authorizationUrl?: URL;
  readonly expectedState = crypto.randomUUID();
  #client?: OAuthClientInformationMixed;
  #tokens?: OAuthTokens;
  #verifier = "";

  constructor(
    readonly redirectUrl: string,
    readonly clientMetadataUrl?: string,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "Gatehouse e2e (dynamic registration)", redirect_uris: [this.redirectUrl], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  state() {
    return this.expectedState;
  }
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    if (scope === "all" || scope === "tokens") this.#tokens = undefined;
    if (scope === "all" || scope === "client") this.#client = undefined;
  }
}

/** A loopback redirect URI (RFC 8252 §7.3), as a desktop MCP client opens one. */
async function startCallbackServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_, res) => res.writeHead(200, { "content-type": "text/html" }).end("<p>You can close this window.</p>"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Serves `document` over https at /client.json with the test-only certificate the e2e app trusts (tests/fixtures/tls),
 * and a web app's https redirect URI at /callback (Chromium is told to accept the certificate: `ignoreHTTPSErrors`).
 */
async function startMetadataServer(document: (url: string) => Record<string, unknown>): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  const tls = path.join(process.cwd(), "tests", "fixtures", "tls");
  let hits = 0;
  let url = "";
  const server = https.createServer({ key: readFileSync(path.join(tls, "localhost.key")), cert: readFileSync(path.join(tls, "localhost.crt")) }, (request, res) => {
    if (request.url?.startsWith("/callback")) return void res.writeHead(200, { "content-type": "text/html" }).end("<p>Signed in. You can close this window.</p>");
    hits++;
    if (request.url !== "/client.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" }).end(JSON.stringify(document(url)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}/client.json`;
  return { url, hits: () => hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Connects, expecting the SDK to need the person (first run); returns the authorization URL it wants opened. */
async function startAuthorization(mcpUrl: URL, provider: TestOAuthProvider): Promise<URL> {
  const client = new Client({ name: "gatehouse-e2e", version: "1.0.0" });
  const refused = await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })).then(
    () => null,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(UnauthorizedError);
  expect(provider.authorizationUrl).toBeDefined();
  return provider.authorizationUrl!;
}

/** In the browser: the authorization URL → sign in through the local issuer (if needed) → the consent page. */
async function openConsent(page: Page, authorizationUrl: URL, email: string): Promise<void> {
  await page.goto(authorizationUrl.toString());
  if (new URL(page.url()).pathname === "/sign-in") {
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await page.getByRole("button", { name: `Sign in as ${email}` }).click();
  }
  await page.waitForURL((url) => url.pathname === "/oauth/authorize");
}

/** Clicks Allow and returns the redirect the browser lands on (the client's loopback callback). */
async function allow(page: Page, callbackUrl: string): Promise<URL> {
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
  return new URL(page.url());
}

async function connected(mcpUrl: URL, provider: TestOAuthProvider): Promise<Client> {
  const client = new Client({ name: "gatehouse-e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  return client;
}

const mcpCall = (baseURL: string, token: string) =>
  fetch(`${baseURL}/api/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });

/** The metadata-document client is a web app: its redirect URI is https on the same test server. */
const webCallback = (metadataUrl: string) => metadataUrl.replace("/client.json", "/callback");

test.describe("an MCP client signs a person in (authorization code + PKCE)", () => {
  test.use({ ignoreHTTPSErrors: true });
  let callback: { url: string; close(): Promise<void> };
  let metadata: { url: string; hits: () => number; close(): Promise<void> };
  test.beforeAll(async ({ browser }) => {
    callback = await startCallbackServer();
    metadata = await startMetadataServer((url) => ({
      client_id: url,
      client_name: "Gatehouse e2e (metadata document)",
      redirect_uris: [webCallback(url)],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }));
    const admin = await browser.newContext();
    await ensureAllowlisted(await admin.newPage(), "hooli.test");
    await admin.close();
  });
  test.afterAll(async () => {
    await callback.close();
    await metadata.close();
  });

  test("dynamic registration → consent in Chromium → tools/list → refresh → disconnect on /me → 401", async ({ page, baseURL, sql }) => {
    const mcpUrl = new URL(`${baseURL}/api/mcp`);
    const provider = new TestOAuthProvider(callback.url);
    const authorizationUrl = await startAuthorization(mcpUrl, provider);
    // What the SDK asked for: code flow, S256, the MCP resource (RFC 8707), a dynamically registered client.
    expect(authorizationUrl.pathname).toBe("/oauth/authorize");
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(`${baseURL}/api/mcp`);
    expect(provider.clientInformation()?.client_id).toMatch(/^ga_/);

    await openConsent(page, authorizationUrl, "grace@hooli.test");
    await expect(page.getByTestId("consent-client-name")).toHaveText("Gatehouse e2e (dynamic registration)");
    await expect(page.getByTestId("consent-redirect-host")).toHaveText(new URL(callback.url).host);
    await expect(page.getByTestId("consent-scopes")).toContainText("Connect to Gatehouse's MCP tools as you");
    await expect(page.getByTestId("consent-scopes")).toContainText("See your organisation's groups");
    await expect(page.getByTestId("consent-resource")).toHaveText(`${baseURL}/api/mcp`);
    await expect(page.getByRole("note")).toContainText("runs on your own computer");

    const redirect = await allow(page, callback.url);
    // RFC 9207 and RFC 6749 §4.1.2: the SDK checks neither, so the test does.
    expect(redirect.searchParams.get("iss")).toBe(baseURL);
    expect(redirect.searchParams.get("state")).toBe(provider.expectedState);
    const code = redirect.searchParams.get("code")!;
    expect(code).toBeTruthy();

    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await first.finishAuth(code);
    const client = await connected(mcpUrl, provider);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("list_groups");
    const whoami = await client.callTool({ name: "whoami", arguments: {} });
    const [grace] = await sql<{ id: string }>(`SELECT id FROM users WHERE email = 'grace@hooli.test'`);
    expect(whoami.structuredContent).toMatchObject({ kind: "delegated", id: grace!.id, app: { client_id: provider.clientInformation()!.client_id }, organization: { name: "hooli.test" } });
    await client.close();

    // Refresh: an access token the server refuses makes the SDK use its refresh token, which rotates.
    const before = provider.tokens()!;
    provider.saveTokens({ ...before, access_token: "expired" });
    const refreshed = await connected(mcpUrl, provider);
    await refreshed.listTools();
    await refreshed.close();
    const after = provider.tokens()!;
    expect(after.refresh_token).toMatch(/^grt_/);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect((await mcpCall(baseURL!, after.access_token)).status).toBe(200);

    // Consent is remembered, but an app on this computer is asked about again (any program could claim its port).
    provider.invalidateCredentials("tokens");
    const secondUrl = await startAuthorization(mcpUrl, provider);
    await page.goto(secondUrl.toString());
    await expect(page.getByRole("note")).toContainText("you allowed it before");
    await expect(page.getByRole("button", { name: "Allow" })).toBeVisible();
    provider.saveTokens(after);

    // The person sees the app under Connected apps and disconnects it.
    await page.goto("/me");
    const app = page.getByTestId("connected-app").filter({ hasText: "Gatehouse e2e (dynamic registration)" });
    await expect(app).toContainText(new URL(callback.url).host);
    await app.getByRole("button", { name: "Disconnect" }).click();
    await app.getByRole("button", { name: /Confirm/ }).click();
    await expect(page.getByTestId("connected-app").filter({ hasText: "Gatehouse e2e (dynamic registration)" })).toHaveCount(0);
    await expect(page.getByText("No apps connected.")).toBeVisible();

    const refused = await mcpCall(baseURL!, after.access_token);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain("list_groups");
    // And the refresh token died with the grant: the SDK cannot get back in without the person.
    provider.authorizationUrl = undefined;
    await expect(connected(mcpUrl, provider)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl).toBeDefined();
  });

  test("a Client ID Metadata Document client: Gatehouse fetches its https metadata and shows its name", async ({ page, baseURL }) => {
    {
      const mcpUrl = new URL(`${baseURL}/api/mcp`);
      const provider = new TestOAuthProvider(webCallback(metadata.url), metadata.url);
      const authorizationUrl = await startAuthorization(mcpUrl, provider);
      expect(authorizationUrl.searchParams.get("client_id")).toBe(metadata.url);

      await openConsent(page, authorizationUrl, "grace@hooli.test");
      await expect(page.getByTestId("consent-client-name")).toHaveText("Gatehouse e2e (metadata document)");
      await expect(page.getByTestId("consent-redirect-host")).toHaveText(new URL(metadata.url).host);
      await expect(page.getByRole("note")).toHaveCount(0); // a web app, not one on this computer
      expect(metadata.hits()).toBeGreaterThan(0);
      const redirect = await allow(page, webCallback(metadata.url));
      expect(redirect.searchParams.get("iss")).toBe(baseURL);

      await new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }).finishAuth(redirect.searchParams.get("code")!);
      const client = await connected(mcpUrl, provider);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();

      // Consent is remembered for a web app: the next authorization for the same scopes goes straight back with a code.
      const again = new TestOAuthProvider(webCallback(metadata.url), metadata.url);
      const secondUrl = await startAuthorization(mcpUrl, again);
      await page.goto(secondUrl.toString());
      await page.waitForURL((url) => url.toString().startsWith(webCallback(metadata.url)));
      expect(new URL(page.url()).searchParams.get("code")).toBeTruthy();
    }
  });

  test("an owner sees the partner's connected apps and disconnects one; an admin blocks the app everywhere", async ({ page, browser, baseURL, sql }) => {
    // Whoever signed in first for hooli.test became its owner (specs may run in any order).
    const [owner] = await sql<{ email: string }>(
      "SELECT u.email FROM users u JOIN users g ON g.partner_id = u.partner_id WHERE g.email = 'grace@hooli.test' AND u.partner_role IN ('owner', 'admin') ORDER BY u.email LIMIT 1",
    );
    await signInAs(page, "google", owner!.email);
    await page.goto("/partner/connected-apps");
    const grant = page.getByTestId("partner-grant").filter({ hasText: "Gatehouse e2e (metadata document)" });
    await expect(grant).toContainText("grace@hooli.test");
    await grant.getByRole("button", { name: "Disconnect" }).click();
    await grant.getByRole("button", { name: /Confirm/ }).click();
    await expect(page.getByTestId("partner-grant").filter({ hasText: "Gatehouse e2e (metadata document)" })).toHaveCount(0);

    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signInAs(admin, "microsoft", "admin@fabrikam.test");
    await admin.goto("/admin/apps");
    // An admin registers a confidential app: its secret is shown once.
    await admin.getByLabel("Name").fill("Team IDE e2e");
    await admin.getByLabel("Redirect URIs (one per line)").fill("https://ide.example.com/oauth/callback");
    await admin.getByLabel("Confidential (has a client secret)").check();
    await admin.getByRole("button", { name: "Register application" }).click();
    const secret = (await admin.getByTestId("secret-value").textContent())!.trim();
    expect(secret).toMatch(/^gas_[0-9A-Za-z]{49}$/);
    await admin.reload();
    await expect(admin.getByTestId("app-client").filter({ hasText: "Team IDE e2e" })).toContainText("registered by an admin");
    expect(await admin.content()).not.toContain(secret);

    const app = admin.getByTestId("app-client").filter({ hasText: metadata.url });
    await expect(app).toContainText("metadata document");
    await app.getByRole("button", { name: "Block" }).click();
    await app.getByRole("button", { name: /Confirm/ }).click();
    await expect(admin.getByTestId("app-client").filter({ hasText: metadata.url }).getByTestId("app-client-status")).toHaveText("Blocked");
    await adminContext.close();

    // A blocked app is turned away before any consent, on Gatehouse's own page: its redirect URI is not trusted
    // with the browser, not even for an error.
    const mcpUrl = new URL(`${baseURL}/api/mcp`);
    const provider = new TestOAuthProvider(webCallback(metadata.url), metadata.url);
    const authorizationUrl = await startAuthorization(mcpUrl, provider);
    await page.goto(authorizationUrl.toString());
    await expect(page.getByRole("heading", { name: "This authorization request cannot be used" })).toBeVisible();
    await expect(page.getByText("An administrator has blocked this application.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Allow" })).toHaveCount(0);
    expect(new URL(page.url()).pathname).toBe("/oauth/authorize");
  });

  test("a member of a partner that is not approved cannot authorize: no code is issued", async ({ page, baseURL, sql }) => {
    const mcpUrl = new URL(`${baseURL}/api/mcp`);
    const provider = new TestOAuthProvider(callback.url);
    const authorizationUrl = await startAuthorization(mcpUrl, provider);
    await sql(`UPDATE partners SET status = 'pending_approval' WHERE idp_organization = 'hooli.test'`);
    try {
      await openConsent(page, authorizationUrl, "grace@hooli.test");
      await expect(page.getByRole("heading", { name: "You cannot connect applications yet" })).toBeVisible();
      await expect(page.getByText("Your organisation is awaiting approval.")).toBeVisible();
      await expect(page.getByRole("button", { name: "Allow" })).toHaveCount(0);
      expect(new URL(page.url()).pathname).toBe("/oauth/authorize");
      const [row] = await sql<{ count: string }>(
        "SELECT count(*) FROM oauth_authorizations a JOIN oauth_grants g ON g.id = a.grant_id JOIN app_clients c ON c.id = g.app_client_id WHERE c.client_id = $1",
        [provider.clientInformation()!.client_id],
      );
      expect(Number(row!.count)).toBe(0);
    } finally {
      await sql(`UPDATE partners SET status = 'approved' WHERE idp_organization = 'hooli.test'`);
    }
  });
});
