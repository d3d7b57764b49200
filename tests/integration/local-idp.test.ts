/**
 * Drives real authorization-code + PKCE flows against the local Google/Entra issuers with plain fetch:
 * manual redirects, a tiny cookie jar, and jose verifying the ID token against the published JWKS.
 */
import { createHash, randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_IDP_CLIENTS, LOCAL_IDP_TENANTS, LOCAL_IDP_USERS, startLocalIdp, type LocalIdp } from "../../scripts/lib/local-idp.ts";
import { CookieJar } from "./http-app";

const APP_ORIGIN = "http://localhost:3000";
let idp: LocalIdp;

beforeAll(async () => {
  idp = await startLocalIdp({ redirectOrigins: [APP_ORIGIN] });
});
afterAll(async () => {
  await idp?.stop();
});



function location(response: Response, base: string): string {
  expect([302, 303]).toContain(response.status);
  return new URL(response.headers.get("location") ?? "", base).href;
}

interface FlowResult {
  discovery: { issuer: string; jwks_uri: string; authorization_endpoint: string; token_endpoint: string };
  loginPage: string;
  callback: URL;
  state: string;
  nonce: string;
  tokens: { id_token: string; access_token: string; token_type: string; scope?: string };
  idToken: JWTPayload;
}

/** Signs in `email` at `issuer` the way Auth.js does (state, nonce, PKCE S256, client_secret_basic). */
async function signIn(options: {
  issuer: string;
  client: { clientId: string; clientSecret: string };
  callbackPath: string;
  scope: string;
  email: string;
  /** Reuse a browser's cookies (e.g. an existing issuer session); a fresh jar when omitted. */
  jar?: CookieJar;
}): Promise<FlowResult> {
  const jar = options.jar ?? new CookieJar();
  const discovery = (await (await fetch(`${options.issuer}/.well-known/openid-configuration`)).json()) as FlowResult["discovery"];

  const state = randomBytes(16).toString("base64url");
  const nonce = randomBytes(16).toString("base64url");
  const verifier = randomBytes(32).toString("base64url");
  const redirectUri = `${APP_ORIGIN}${options.callbackPath}`;
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: options.client.clientId,
    redirect_uri: redirectUri,
    scope: options.scope,
    state,
    nonce,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();

  const interactionUrl = location(await jar.send(authorize.href), authorize.href);
  const pageResponse = await jar.send(interactionUrl);
  expect(pageResponse.status).toBe(200);
  const loginPage = await pageResponse.text();

  const user = LOCAL_IDP_USERS.find((u) => u.email === options.email);
  if (!user) throw new Error(`no test user ${options.email}`);
  let next = location(
    await jar.send(interactionUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ user: user.id }).toString(),
    }),
    interactionUrl,
  );
  // Resume at the authorization endpoint, which redirects to the app (one hop, but do not assume it).
  while (!next.startsWith(APP_ORIGIN)) {
    const hop = await jar.send(next);
    if (hop.status === 200) throw new Error(`expected a redirect from ${next}, got a page: ${await hop.text()}`);
    next = location(hop, next);
  }
  const callback = new URL(next);
  expect(callback.origin + callback.pathname).toBe(redirectUri);

  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(
        `${encodeURIComponent(options.client.clientId)}:${encodeURIComponent(options.client.clientSecret)}`,
      ).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = (await tokenResponse.json()) as FlowResult["tokens"];
  expect(tokenResponse.status, JSON.stringify(tokens)).toBe(200);

  const { payload, protectedHeader } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
    issuer: options.issuer,
    audience: options.client.clientId,
  });
  expect(protectedHeader.alg).toBe("RS256");
  return { discovery, loginPage, callback, state, nonce, tokens, idToken: payload };
}

describe("local Google Workspace issuer", () => {
  it("publishes a discovery document whose issuer is the /google prefix URL", async () => {
    const response = await fetch(`${idp.googleIssuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(idp.googleIssuer);
    expect(discovery.code_challenge_methods_supported).toEqual(["S256"]);
    expect(String(discovery.token_endpoint)).toMatch(new RegExp(`^${idp.googleIssuer}/`));
  });

  it("signs alice in through the login page and issues an RS256 ID token with hd, email and nonce", async () => {
    const flow = await signIn({
      issuer: idp.googleIssuer,
      client: LOCAL_IDP_CLIENTS.google,
      callbackPath: "/api/auth/callback/google",
      scope: "openid email profile",
      email: "alice@acme.test",
    });
    expect(flow.loginPage).toContain("Local Google Workspace (test issuer)");
    for (const email of ["alice@acme.test", "bob@acme.test", "carol@globex.test", "gina@gmail.test", "unverified@acme.test"]) {
      expect(flow.loginPage).toContain(`>Sign in as ${email}</button>`);
    }
    expect(flow.loginPage).not.toContain("erin@contoso.test");
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
    expect(flow.callback.searchParams.get("iss")).toBe(idp.googleIssuer);
    expect(flow.idToken).toMatchObject({
      iss: idp.googleIssuer,
      aud: LOCAL_IDP_CLIENTS.google.clientId,
      sub: "110000000000000000001",
      email: "alice@acme.test",
      email_verified: true,
      name: "Alice Anders",
      hd: "acme.test",
      nonce: flow.nonce,
    });
  });

  it("omits hd for a personal account and reports email_verified false for the unverified user", async () => {
    const common = {
      issuer: idp.googleIssuer,
      client: LOCAL_IDP_CLIENTS.google,
      callbackPath: "/api/auth/callback/google",
      scope: "openid email profile",
    };
    const gina = await signIn({ ...common, email: "gina@gmail.test" });
    expect(gina.idToken.email).toBe("gina@gmail.test");
    expect(gina.idToken).not.toHaveProperty("hd");
    const unverified = await signIn({ ...common, email: "unverified@acme.test" });
    expect(unverified.idToken).toMatchObject({ email: "unverified@acme.test", email_verified: false, hd: "acme.test" });
  });

  it("shows the account chooser again when the browser already has a session, so users can be switched", async () => {
    const jar = new CookieJar();
    const common = {
      issuer: idp.googleIssuer,
      client: LOCAL_IDP_CLIENTS.google,
      callbackPath: "/api/auth/callback/google",
      scope: "openid email profile",
      jar,
    };
    const first = await signIn({ ...common, email: "alice@acme.test" });
    const second = await signIn({ ...common, email: "carol@globex.test" });
    const third = await signIn({ ...common, email: "carol@globex.test" });
    expect(first.idToken.email).toBe("alice@acme.test");
    expect(third.idToken.email).toBe("carol@globex.test");
    expect(second.loginPage).toContain(">Sign in as carol@globex.test</button>");
    expect(second.idToken).toMatchObject({ email: "carol@globex.test", hd: "globex.test" });
  });

  it("sends access_denied back to the app when the user cancels on the login page", async () => {
    const jar = new CookieJar();
    const authorize = new URL(`${idp.googleIssuer}/auth`);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: LOCAL_IDP_CLIENTS.google.clientId,
      redirect_uri: `${APP_ORIGIN}/api/auth/callback/google`,
      scope: "openid email",
      state: "cancel-state",
      code_challenge: createHash("sha256").update("v".repeat(43)).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const interactionUrl = location(await jar.send(authorize.href), authorize.href);
    const cancelled = await jar.send(interactionUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "action=cancel",
    });
    const resume = location(cancelled, interactionUrl);
    const callback = new URL(location(await jar.send(resume), resume));
    expect(callback.pathname).toBe("/api/auth/callback/google");
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe("cancel-state");
  });

  it("rejects an authorization request without PKCE", async () => {
    const authorize = new URL(`${idp.googleIssuer}/auth`);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: LOCAL_IDP_CLIENTS.google.clientId,
      redirect_uri: `${APP_ORIGIN}/api/auth/callback/google`,
      scope: "openid",
      state: "s",
    }).toString();
    const callback = new URL(location(await fetch(authorize, { redirect: "manual" }), authorize.href));
    expect(callback.searchParams.get("error")).toBe("invalid_request");
    expect(callback.searchParams.get("error_description")).toMatch(/PKCE/);
  });
});

describe("local Microsoft Entra ID issuer", () => {
  it("signs erin in with User.Read requested and issues an ID token with tid, oid and preferred_username", async () => {
    const flow = await signIn({
      issuer: idp.entraIssuer,
      client: LOCAL_IDP_CLIENTS.entra,
      callbackPath: "/api/auth/callback/microsoft-entra-id",
      scope: "openid profile email User.Read",
      email: "erin@contoso.test",
    });
    expect(flow.discovery.issuer).toBe(idp.entraIssuer);
    expect(flow.loginPage).toContain("Local Microsoft Entra ID (test issuer)");
    expect(flow.loginPage).toContain(">Sign in as admin@fabrikam.test</button>");
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
    expect(flow.tokens.scope?.split(" ")).toContain("User.Read");
    expect(flow.idToken).toMatchObject({
      iss: idp.entraIssuer,
      aud: LOCAL_IDP_CLIENTS.entra.clientId,
      tid: LOCAL_IDP_TENANTS.contoso,
      oid: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b01",
      preferred_username: "erin@contoso.test",
      email: "erin@contoso.test",
      name: "Erin Evans",
      nonce: flow.nonce,
    });
    expect(flow.idToken).not.toHaveProperty("hd");
  });
});
