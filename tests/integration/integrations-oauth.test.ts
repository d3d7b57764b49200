/**
 * Connecting Google Workspace, Okta and Entra ID directories over OAuth 2.0 (lib/integrations/oauth.ts) against the
 * local authorization servers (scripts/lib/local-directories), over real HTTP: the browser's part (the consent page,
 * "Allow" or "Deny", the redirect back) is driven with plain fetch, the rest goes through oauth4webapi.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db, sql } from "@/lib/db";
import { openCredentials, sealCredentials } from "@/lib/integrations/credentials";
import { completeAuthorization, getAccessToken, REQUIRED_SCOPES, startAuthorization } from "@/lib/integrations/oauth";
import { IntegrationError, type IntegrationRecord } from "@/lib/integrations/types";
import { startLocalDirectories, type LocalDirectories } from "@/scripts/lib/local-directories/index.ts";
import { revokeLocalRefreshTokens, setLocalAccessTokenLifetime, setLocalWithheldScopes } from "@/scripts/lib/local-directories/oauth-server.ts";
import { demoDirectory } from "@/scripts/lib/local-directories/store.ts";
import { createPartner, createUser, unique, setTestEnv } from "./support";

type Provider = "google" | "okta" | "entra";

const APP = "http://localhost:3000";
const REDIRECT_URI = `${APP}/api/integrations/oauth/callback`;
const GOOGLE_DOMAIN = "acme-oauth.test";
const OTHER_GOOGLE_DOMAIN = "elsewhere-oauth.test";
const OKTA_ORG = "acme-oauth";
const ENTRA_TENANT = "7f0c3a52-1b6e-4d8a-9c1e-2a3b4c5d6e7f";
const OTHER_ENTRA_TENANT = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a";

let local: LocalDirectories;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  local = await startLocalDirectories({ redirectOrigins: [APP] });
  local.store.put("google", GOOGLE_DOMAIN, demoDirectory("google", GOOGLE_DOMAIN));
  local.store.put("google", OTHER_GOOGLE_DOMAIN, demoDirectory("google", OTHER_GOOGLE_DOMAIN));
  local.store.put("okta", OKTA_ORG, demoDirectory("okta"));
  local.store.put("entra", ENTRA_TENANT, demoDirectory("entra"));
  local.store.put("entra", OTHER_ENTRA_TENANT, demoDirectory("entra", "other.test"));
  restoreEnv = setTestEnv(local.env);
});

afterAll(async () => {
  restoreEnv?.();
  await local.stop();
});

afterEach(() => {
  setLocalAccessTokenLifetime();
  setLocalWithheldScopes([]);
});

const directoryOf = (provider: Provider) => ({ google: GOOGLE_DOMAIN, okta: `${local.url}/okta/${OKTA_ORG}`, entra: ENTRA_TENANT })[provider];

/** A partner, one of its people with a browser session, and a pending integration of the provider. */
async function setup(provider: Provider) {
  const partner = await createPartner();
  const user = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const integration = await db.integration.create({
    data: { partnerId: partner.id, provider, name: `${provider} ${unique("dir")}`, status: "pending", directory: directoryOf(provider), createdById: user.id },
  });
  return { partner, user, integration: integration as IntegrationRecord, sessionId: randomBytes(32).toString("hex") };
}

type Setup = Awaited<ReturnType<typeof setup>>;

const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/**
 * What the browser does at the provider: opens the consent page, submits its form with "Allow" or "Deny" (and,
 * optionally, says the account belongs to another directory), and follows the redirect back to Gatehouse.
 * @returns the callback's query parameters
 */
async function consent(authorizationUrl: string, options: { decision?: "allow" | "deny"; account?: string } = {}): Promise<URLSearchParams> {
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("Gatehouse wants read-only access to");
  expect(html).toMatch(/<button name="decision" value="allow">Allow<\/button>/);
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) form.append(unescapeHtml(name!), unescapeHtml(value!));
  const account = /<input name="account" value="([^"]*)">/.exec(html)?.[1];
  if (account !== undefined) form.set("account", options.account ?? unescapeHtml(account));
  form.set("decision", options.decision ?? "allow");
  const answer = await fetch(authorizationUrl, { method: "POST", body: form, redirect: "manual" });
  expect(answer.status).toBe(302);
  const location = new URL(answer.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return location.searchParams;
}

async function start(s: Setup): Promise<string> {
  const { authorizationUrl } = await startAuthorization({ integration: s.integration, userId: s.user.id, sessionId: s.sessionId, redirectUri: REDIRECT_URI });
  return authorizationUrl;
}

function complete(s: Setup, params: URLSearchParams, overrides: { sessionId?: string; userId?: string } = {}) {
  return completeAuthorization({ params, userId: overrides.userId ?? s.user.id, partnerId: s.partner.id, sessionId: overrides.sessionId ?? s.sessionId, redirectUri: REDIRECT_URI });
}

/** Connects the integration end to end and returns it as stored. */
async function connect(provider: Provider): Promise<Setup & { connected: IntegrationRecord }> {
  const s = await setup(provider);
  const connected = await complete(s, await consent(await start(s)));
  return { ...s, connected };
}

async function stored(id: string) {
  return db.integration.findUniqueOrThrow({ where: { id } });
}

async function refusal(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

/** The refused callback left the integration exactly as it was: pending, no credentials, no scopes. */
async function expectNothingStored(id: string, reason: string) {
  const row = await stored(id);
  expect(row).toMatchObject({ status: "pending", credentials: null, credentialsKeyId: null, grantedScopes: [] });
  const audit = await db.auditEvent.findFirst({ where: { action: "integration.oauth_refused", targetId: id }, orderBy: { occurredAt: "desc" } });
  expect(audit?.metadata).toMatchObject({ reason });
}

function sealedTokens(row: IntegrationRecord) {
  return openCredentials<{ access_token: string; refresh_token: string; expires_at: number; scope: string }>(
    { partnerId: row.partnerId, integrationId: row.id, provider: row.provider },
    row.credentials!,
  ).reveal();
}

describe("connecting a directory", () => {
  for (const provider of ["google", "okta", "entra"] as const) {
    it(`${provider}: consent, code exchange with PKCE, credentials sealed, status connected`, async () => {
      const s = await setup(provider);
      const authorizationUrl = new URL(await start(s));
      expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorizationUrl.searchParams.get("scope")!.split(" ")).toEqual(REQUIRED_SCOPES[provider]);
      if (provider === "google") expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({ hd: GOOGLE_DOMAIN, access_type: "offline", prompt: "consent" });

      const connected = await complete(s, await consent(authorizationUrl.href));
      expect(connected).toMatchObject({ id: s.integration.id, status: "connected" });

      const row = await stored(s.integration.id);
      expect(row.status).toBe("connected");
      expect(row.grantedScopes).toEqual(REQUIRED_SCOPES[provider]);
      expect(row.credentials).toMatch(/^v1\./);
      const tokens = sealedTokens(row);
      // The provider accepts the stored access token for this directory's API, with the granted scopes.
      expect(local.tokens.lookup(tokens.access_token)).toMatchObject({ provider, scopes: REQUIRED_SCOPES[provider] });
      expect(tokens.refresh_token).toBeTruthy();
      // Neither token is anywhere in the row in clear.
      const [{ clear } = { clear: -1 }] = await sql<{ clear: number }>`
        SELECT count(*)::int AS clear FROM integrations i
        WHERE i.id = ${row.id} AND (strpos(row_to_json(i)::text, ${tokens.access_token}) > 0 OR strpos(row_to_json(i)::text, ${tokens.refresh_token}) > 0)`;
      expect(clear).toBe(0);
      expect(await db.integrationOAuthState.count({ where: { integrationId: row.id } })).toBe(0);
      expect(await db.auditEvent.count({ where: { action: "integration.connected", targetId: row.id, actorId: s.user.id, partnerId: s.partner.id } })).toBe(1);

      // A token with more than a minute left is used as is: no refresh at the provider.
      const refreshes = local.faults.refreshCount[provider];
      expect(await getAccessToken(row)).toBe(tokens.access_token);
      expect(local.faults.refreshCount[provider]).toBe(refreshes);
    });
  }

  it("lets exactly one of two concurrent callbacks with the same state proceed", async () => {
    const s = await setup("okta");
    const params = await consent(await start(s));
    const results = await Promise.allSettled([complete(s, params), complete(s, params)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [rejected] = results.filter((r) => r.status === "rejected");
    expect(rejected!.reason).toBeInstanceOf(IntegrationError);
    expect((rejected!.reason as IntegrationError).code).toBe("access_denied");
    expect((rejected!.reason as IntegrationError).message).toMatch(/already used/);
    expect((await stored(s.integration.id)).status).toBe("connected");
  });

  it("refuses a state older than 10 minutes", async () => {
    const s = await setup("google");
    const params = await consent(await start(s));
    await db.integrationOAuthState.updateMany({ where: { integrationId: s.integration.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const error = await refusal(complete(s, params));
    expect(error.code).toBe("access_denied");
    expect(error.message).toMatch(/10 minutes/);
    await expectNothingStored(s.integration.id, "expired_state");
  });

  it("refuses a callback in another browser session, or by another person of the partner", async () => {
    const s = await setup("entra");
    const params = await consent(await start(s));
    const error = await refusal(complete(s, params, { sessionId: randomBytes(32).toString("hex") }));
    expect(error.message).toMatch(/another browser session/);
    await expectNothingStored(s.integration.id, "wrong_session");

    const colleague = await createUser({ partnerId: s.partner.id });
    const again = await consent(await start(s));
    expect((await refusal(complete(s, again, { userId: colleague.id }))).message).toMatch(/someone else/);
    expect((await stored(s.integration.id)).credentials).toBeNull();
  });

  it("is refused by the provider when the PKCE code_verifier does not match the challenge", async () => {
    const s = await setup("okta");
    const params = await consent(await start(s));
    const binding = { partnerId: s.partner.id, integrationId: s.integration.id, provider: "okta" };
    const otherVerifier = sealCredentials(binding, { code_verifier: randomBytes(32).toString("base64url") }).sealed;
    await db.integrationOAuthState.updateMany({ where: { integrationId: s.integration.id }, data: { codeVerifier: otherVerifier } });
    const error = await refusal(complete(s, params));
    expect(error.message).toMatch(/refused to issue tokens \(invalid_grant\)/);
    await expectNothingStored(s.integration.id, "token_invalid_grant");
  });

  it("refuses when fewer scopes were granted than required, naming the missing ones", async () => {
    const s = await setup("okta");
    setLocalWithheldScopes(["okta.roles.read"]);
    const error = await refusal(complete(s, await consent(await start(s))));
    expect(error.code).toBe("access_denied");
    expect(error.message).toContain("okta.roles.read");
    await expectNothingStored(s.integration.id, "insufficient_scope");
  });

  it("refuses a Google account of another domain (hd)", async () => {
    const s = await setup("google");
    const error = await refusal(complete(s, await consent(await start(s), { account: OTHER_GOOGLE_DOMAIN })));
    expect(error.message).toContain(GOOGLE_DOMAIN);
    await expectNothingStored(s.integration.id, "wrong_directory");
  });

  it("refuses an Entra ID sign-in in another tenant (tid and issuer)", async () => {
    const s = await setup("entra");
    const error = await refusal(complete(s, await consent(await start(s), { account: OTHER_ENTRA_TENANT })));
    expect(error.code).toBe("access_denied");
    expect((await stored(s.integration.id)).credentials).toBeNull();
    expect((await stored(s.integration.id)).status).toBe("pending");
  });

  it("explains an administrator's Deny at the consent page", async () => {
    const s = await setup("google");
    const params = await consent(await start(s), { decision: "deny" });
    expect(params.get("error")).toBe("access_denied");
    const error = await refusal(complete(s, params));
    expect(error.code).toBe("access_denied");
    expect(error.message).toMatch(/did not allow Gatehouse access/);
    await expectNothingStored(s.integration.id, "provider_access_denied");
  });
});

describe("access tokens", () => {
  it("refreshes an expiring token once for five concurrent callers and saves the rotated refresh token", async () => {
    setLocalAccessTokenLifetime(30); // under the one-minute margin: every stored token needs a refresh
    const { connected } = await connect("okta");
    const before = sealedTokens(connected);
    const refreshes = local.faults.refreshCount.okta;

    const tokens = await Promise.all(Array.from({ length: 5 }, () => getAccessToken(connected)));
    expect(local.faults.refreshCount.okta).toBe(refreshes + 1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.access_token);
    expect(local.tokens.lookup(tokens[0]!)).toMatchObject({ provider: "okta" });

    const afterFirst = await stored(connected.id);
    expect(afterFirst.refreshLeaseUntil).toBeNull();
    const rotated = sealedTokens(afterFirst);
    expect(rotated.refresh_token).not.toBe(before.refresh_token);
    expect(await db.auditEvent.count({ where: { action: "integration.credentials_refreshed", targetId: connected.id } })).toBe(1);

    // The next refresh presents the rotated token; the emulator would revoke everything had it been the old one.
    const next = await getAccessToken(afterFirst);
    expect(local.faults.refreshCount.okta).toBe(refreshes + 2);
    expect(next).not.toBe(tokens[0]);
    expect((await stored(connected.id)).status).toBe("connected");
  });

  it("marks the integration reconnect_needed when the provider answers invalid_grant", async () => {
    setLocalAccessTokenLifetime(30);
    const { connected } = await connect("entra");
    revokeLocalRefreshTokens("entra", ENTRA_TENANT);

    const error = await refusal(getAccessToken(connected));
    expect(error.code).toBe("reconnect_needed");
    expect(error.message).toMatch(/Connect the directory again/);
    const row = await stored(connected.id);
    expect(row).toMatchObject({ status: "reconnect_needed", credentials: null, refreshLeaseUntil: null });
    expect(await db.auditEvent.count({ where: { action: "integration.reconnect_needed", targetId: connected.id } })).toBe(1);
  });
});
