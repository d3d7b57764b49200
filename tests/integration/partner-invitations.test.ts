/**
 * Invitations accepted at sign-in, through Auth.js's own handlers (lib/auth/handlers.ts) served over real HTTP with
 * the local OpenID issuer and the local GitHub emulator: only an email the provider vouches for accepts an
 * invitation (Google `email_verified`, Entra `xms_edov`, GitHub's verified primary email), and a GitHub user joins
 * only by invitation, never by domain.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, startAuthJsServer, type TestApp } from "./http-app";
import { resetConfigForTests } from "@/lib/config";
import { db } from "@/lib/db";
import { createInvitation } from "@/lib/partners/invitations";
import { removeMember } from "@/lib/partners/team";
import { LOCAL_GITHUB_USERS, startLocalGitHub, type LocalGitHub } from "../../scripts/lib/local-github.ts";
import { LOCAL_IDP_USERS, startLocalIdp, type LocalIdp } from "../../scripts/lib/local-idp.ts";
import { findFreePort } from "../../scripts/lib/postgres.ts";
import { createPartner, createUser } from "./support";

const ENV_KEYS = ["AUTH_URL", "LOCAL_IDP_URL", "LOCAL_GITHUB_URL", "RATE_LIMIT_SIGN_IN_PER_MINUTE"];
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
let idp: LocalIdp;
let github: LocalGitHub;
let server: TestApp | undefined;
let appUrl: string;

beforeAll(async () => {
  const port = await findFreePort();
  appUrl = `http://localhost:${port}`;
  idp = await startLocalIdp({ redirectOrigins: [appUrl] });
  github = await startLocalGitHub({ redirectOrigins: [appUrl] });
  Object.assign(process.env, { AUTH_URL: appUrl, LOCAL_IDP_URL: idp.url, LOCAL_GITHUB_URL: github.url, RATE_LIMIT_SIGN_IN_PER_MINUTE: "10000" });
  resetConfigForTests();
  server = await startAuthJsServer(appUrl, port);
});
afterAll(async () => {
  await server?.close();
  await idp?.stop();
  await github?.stop();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetConfigForTests();
});


const redirectOf = (response: Response, base: string) => {
  expect([302, 303], `expected a redirect, got ${response.status}`).toContain(response.status);
  return new URL(response.headers.get("location")!, base).href;
};

/**
 * Signs in through Auth.js and the provider's test login page, picking the test user `pick`.
 * @returns where Gatehouse sends the browser after its callback (the callbackUrl, or /sign-in/error?error=…)
 */
async function signIn(provider: "google" | "microsoft-entra-id" | "github", pick: string): Promise<URL> {
  const app = new CookieJar();
  const issuer = new CookieJar();
  const { csrfToken } = (await (await app.send(`${appUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
  const start = await app.send(`${appUrl}/api/auth/signin/${provider}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${appUrl}/start` }).toString(),
  });
  let next = redirectOf(start, appUrl);
  while (!next.startsWith(appUrl)) {
    const response = await issuer.send(next);
    if (response.status !== 200) {
      next = redirectOf(response, next);
      continue;
    }
    const html = await response.text();
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&"), next).href;
    const fields = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll("&#38;", "&")]));
    fields.set("user", pick);
    next = redirectOf(await issuer.send(action, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString() }), action);
  }
  expect(new URL(next).pathname).toBe(`/api/auth/callback/${provider}`);
  return new URL(redirectOf(await app.send(next), next));
}

const idpUser = (email: string) => LOCAL_IDP_USERS.find((u) => u.email === email)!.id;
const gitHubUser = (login: string) => String(LOCAL_GITHUB_USERS.find((u) => u.login === login)!.id);

async function invite(email: string) {
  const partner = await createPartner();
  const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const invitation = await createInvitation(partner.id, { email }, { type: "user", id: owner.id, partnerRole: "owner" });
  return { partner, invitation };
}

describe("invitations accepted at sign-in", () => {
  it("lets a vouched-for Google address join the inviting partner, even a personal account", async () => {
    const { partner, invitation } = await invite("gina@gmail.test");
    const landed = await signIn("google", idpUser("gina@gmail.test"));
    expect(landed.pathname).toBe("/start");
    expect(await db.user.findUniqueOrThrow({ where: { email: "gina@gmail.test" }, select: { partnerId: true, partnerRole: true } })).toEqual({ partnerId: partner.id, partnerRole: "member" });
    expect(await db.partnerInvitation.findUniqueOrThrow({ where: { id: invitation.id }, select: { acceptedAt: true } })).not.toEqual({ acceptedAt: null });
    expect(await db.auditEvent.count({ where: { action: "partner.invitation_accepted", targetId: invitation.id } })).toBe(1);
  });

  it("does not accept an invitation for an Entra email Entra does not vouch for", async () => {
    const { partner, invitation } = await invite("ursula@contoso.test");
    await signIn("microsoft-entra-id", idpUser("ursula@contoso.test"));
    const account = await db.account.findFirstOrThrow({ where: { provider: "microsoft-entra-id", providerAccountId: idpUser("ursula@contoso.test") }, select: { user: { select: { partnerId: true, email: true } } } });
    expect(account.user.email).toBeNull();
    expect(account.user.partnerId).not.toBe(partner.id);
    expect(await db.partnerInvitation.findUniqueOrThrow({ where: { id: invitation.id }, select: { acceptedAt: true } })).toEqual({ acceptedAt: null });
  });

  it("does not accept an invitation for another address", async () => {
    const { partner, invitation } = await invite("someone-else@globex.test");
    await signIn("google", idpUser("carol@globex.test"));
    expect((await db.user.findUniqueOrThrow({ where: { email: "carol@globex.test" } })).partnerId).not.toBe(partner.id);
    expect(await db.partnerInvitation.findUniqueOrThrow({ where: { id: invitation.id }, select: { acceptedAt: true } })).toEqual({ acceptedAt: null });
  });
});

describe("a removed member", () => {
  it("does not rejoin by their organisation at the next sign-in, only by a new invitation", async () => {
    await signIn("microsoft-entra-id", idpUser("erin@contoso.test"));
    await signIn("microsoft-entra-id", idpUser("frank@contoso.test"));
    const erin = await db.user.findUniqueOrThrow({ where: { email: "erin@contoso.test" } });
    const frank = await db.user.findUniqueOrThrow({ where: { email: "frank@contoso.test" } });
    expect(frank.partnerId).toBe(erin.partnerId);
    const partnerId = erin.partnerId!;
    await removeMember(partnerId, frank.id, { type: "user", id: erin.id, partnerRole: "owner" });

    expect((await signIn("microsoft-entra-id", idpUser("frank@contoso.test"))).pathname).toBe("/start");
    expect((await db.user.findUniqueOrThrow({ where: { id: frank.id } })).partnerId).toBeNull();

    await createInvitation(partnerId, { email: "frank@contoso.test" }, { type: "user", id: erin.id, partnerRole: "owner" });
    await signIn("microsoft-entra-id", idpUser("frank@contoso.test"));
    expect(await db.user.findUniqueOrThrow({ where: { id: frank.id }, select: { partnerId: true, removedFromPartnerId: true } })).toEqual({ partnerId, removedFromPartnerId: null });
  });
});

describe("GitHub sign-in", () => {
  it("refuses a GitHub user without an invitation with a clear error, creating nobody", async () => {
    const landed = await signIn("github", gitHubUser("nina-gh"));
    expect(landed.pathname + landed.search).toBe("/sign-in/error?error=GitHubNotInvited");
    expect(await db.user.count({ where: { email: "nina@nowhere.test" } })).toBe(0);
  });

  it("refuses an unverified primary email, and never trusts the public profile email", async () => {
    const { invitation } = await invite("ivy@hooli.test");
    expect((await signIn("github", gitHubUser("uriel-gh"))).searchParams.get("error")).toBe("GitHubEmailNotVerified");
    // mallory-gh's public email says ivy@hooli.test; her verified primary is mallory@evil.test.
    expect((await signIn("github", gitHubUser("mallory-gh"))).searchParams.get("error")).toBe("GitHubNotInvited");
    expect(await db.partnerInvitation.findUniqueOrThrow({ where: { id: invitation.id }, select: { acceptedAt: true } })).toEqual({ acceptedAt: null });
  });

  it("lets an invited GitHub user with the matching verified primary email join", async () => {
    const { partner } = await invite("ivy@hooli.test");
    const landed = await signIn("github", gitHubUser("ivy-gh"));
    expect(landed.pathname).toBe("/start");
    const user = await db.user.findUniqueOrThrow({ where: { email: "ivy@hooli.test" }, select: { partnerId: true, partnerRole: true, accounts: { select: { provider: true } } } });
    expect(user).toEqual({ partnerId: partner.id, partnerRole: "member", accounts: [{ provider: "github" }] });
    expect(await db.session.count({ where: { user: { email: "ivy@hooli.test" } } })).toBe(1);
  });
});
