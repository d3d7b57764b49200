import { describe, expect, it } from "vitest";
import { sealData } from "iron-session";
import { db } from "@/lib/db";
import { createClient, issueAccessLink, revokeAccessLink, setClientActive } from "@/lib/portal/clients";
import { enterPortal, provisionPortalPreview } from "@/lib/portal/enter";
import { createProject } from "@/lib/portal/projects";
import { getPortalPrincipal, portalCookieName, sealPortalSession } from "@/lib/portal/session";
import { GET as enterRoute } from "@/app/portal/enter/[token]/route";
import { GET as portalProjects } from "@/app/portal/api/projects/route";
import { GET as portalProject } from "@/app/portal/api/projects/[id]/route";
import { POST as previewRoute } from "@/app/projects/[id]/portal-preview/route";
import { browserRequest, APP_ORIGIN, sessionCookieFor, unique, createPartnerWithPortalClient, linkSecretOf } from "./support";

const none = {} as never;

const setup = createPartnerWithPortalClient;

const secretOf = linkSecretOf;
const cookieHeaders = async (accessTokenId: string, preview = false) => new Headers({ cookie: `${portalCookieName()}=${await sealPortalSession({ accessTokenId, preview })}` });

describe("portal links", () => {
  it("enters with a valid link, stamps last_used_at, and refuses bad, revoked, expired and deactivated links", async () => {
    const { partner, actor, client } = await setup();
    const { url, link } = await issueAccessLink(partner.id, client.id, { label: "Jane" }, actor);
    expect(url).toMatch(/\/portal\/enter\/gpl_[0-9A-Za-z]{49}$/);
    expect((await db.clientAccessToken.findUniqueOrThrow({ where: { id: link.id } })).tokenDigest).not.toContain(secretOf(url));

    expect(await enterPortal(secretOf(url), { ip: null })).toEqual({ accessTokenId: link.id });
    expect((await db.clientAccessToken.findUniqueOrThrow({ where: { id: link.id } })).lastUsedAt).toBeInstanceOf(Date);

    expect(await enterPortal(`${secretOf(url).slice(0, -1)}${secretOf(url).endsWith("x") ? "y" : "x"}`, { ip: null })).toBeNull(); // one character off
    expect(await enterPortal("gpl_nonsense", { ip: null })).toBeNull();

    const expiring = await issueAccessLink(partner.id, client.id, { label: "Short", expires_in_days: 1 }, actor);
    await db.clientAccessToken.update({ where: { id: expiring.link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await enterPortal(secretOf(expiring.url), { ip: null })).toBeNull();

    await revokeAccessLink(partner.id, link.id, actor);
    expect(await enterPortal(secretOf(url), { ip: null })).toBeNull();

    const other = await issueAccessLink(partner.id, client.id, { label: "Other" }, actor);
    await setClientActive(partner.id, client.id, false, actor);
    expect(await enterPortal(secretOf(other.url), { ip: null })).toBeNull();
  });

  it("re-validates every request: revoking the link or deactivating the client ends a live session", async () => {
    const { partner, actor, client } = await setup();
    const { link } = await issueAccessLink(partner.id, client.id, { label: "Live" }, actor);
    const headers = await cookieHeaders(link.id);
    expect(await getPortalPrincipal(headers)).toMatchObject({ kind: "portal", portalClientId: client.id, accessTokenId: link.id, preview: false });
    await revokeAccessLink(partner.id, link.id, actor);
    expect(await getPortalPrincipal(headers)).toBeNull();

    const second = await issueAccessLink(partner.id, client.id, { label: "Second" }, actor);
    const headers2 = await cookieHeaders(second.link.id);
    expect(await getPortalPrincipal(headers2)).not.toBeNull();
    await setClientActive(partner.id, client.id, false, actor);
    expect(await getPortalPrincipal(headers2)).toBeNull();
  });

  it("treats tampered, truncated and foreign cookies as no session, without an error", async () => {
    const { partner, actor, client } = await setup();
    const { link } = await issueAccessLink(partner.id, client.id, { label: "Tamper" }, actor);
    const sealed = await sealPortalSession({ accessTokenId: link.id });
    const foreign = await sealData({ accessTokenId: link.id }, { password: "x".repeat(40) });
    for (const value of [`${sealed.slice(0, 20)}A${sealed.slice(21)}`, sealed.slice(0, sealed.length / 2), foreign, "garbage", "x".repeat(5000)]) {
      expect(await getPortalPrincipal(new Headers({ cookie: `${portalCookieName()}=${value}` }))).toBeNull();
    }
  });

  it("answers /portal/enter with 303 + cookie + no-referrer, 403 for a bad link, and 429 with an audit entry when brute-forced", async () => {
    const { partner, actor, client } = await setup();
    const { url } = await issueAccessLink(partner.id, client.id, { label: "Route" }, actor);
    const ip = `198.51.100.${Math.floor(Math.random() * 200)}`;
    const enter = (secret: string) => enterRoute(new Request(`http://localhost:3000/portal/enter/${secret}`, { headers: { "x-forwarded-for": ip } }), { params: Promise.resolve({ token: secret }) });

    const ok = await enter(secretOf(url));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/portal");
    expect(ok.headers.get("referrer-policy")).toBe("no-referrer");
    expect(ok.headers.get("set-cookie")).toMatch(new RegExp(`^${portalCookieName()}=.+; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000`));

    const bad = await enter("gpl_wrong");
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain("This portal link is not valid");

    let last: Response | undefined;
    for (let i = 0; i < 25; i++) last = await enter(`gpl_guess${i}`);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    await expect.poll(() => db.auditEvent.count({ where: { action: "portal.enter_rate_limited", ip } })).toBe(1);
  });
});

describe("portal API", () => {
  it("answers 401 JSON without a session, and only the client's own projects with one (another client's is 404)", async () => {
    const { partner, actor, client } = await setup();
    const otherClient = await createClient(partner.id, { name: `Other ${unique("c")}` }, actor);
    const mine = await createProject(partner.id, { name: "Website", client_id: client.id, notes: "Launch in May" }, actor);
    const theirs = await createProject(partner.id, { name: "Secret", client_id: otherClient.id }, actor);
    const { link } = await issueAccessLink(partner.id, client.id, { label: "API" }, actor);

    const anonymous = await portalProjects(new Request("http://localhost:3000/portal/api/projects"), none);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: "unauthorized" });

    const headers = await cookieHeaders(link.id);
    const list = (await (await portalProjects(new Request("http://localhost:3000/portal/api/projects", { headers }), none)).json()) as { projects: { id: string; notes: string }[] };
    expect(list.projects.map((p) => p.id)).toEqual([mine.id]);
    const foreign = await portalProject(new Request(`http://localhost:3000/portal/api/projects/${theirs.id}`, { headers }), { params: Promise.resolve({ id: theirs.id }) });
    expect(foreign.status).toBe(404);
  });
});

describe("operator preview provisioning", () => {
  it("creates and links a per-project preview client for an unlinked project, and is idempotent", async () => {
    const { partner, actor } = await setup();
    const project = await createProject(partner.id, { name: "Unlinked" }, actor);
    const first = await provisionPortalPreview(partner.id, project.id, actor);
    const second = await provisionPortalPreview(partner.id, project.id, actor);
    expect(second).toEqual(first);
    const client = await db.client.findUniqueOrThrow({ where: { id: first.clientId } });
    expect(client).toMatchObject({ slug: `preview-${project.id}`.toLowerCase(), previewForProjectId: project.id, partnerId: partner.id });
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).clientId).toBe(client.id);
    expect(await getPortalPrincipal(await cookieHeaders(first.accessTokenId, true))).toMatchObject({ portalClientId: client.id, preview: true });
  });

  it("uses the project's real client and never clobbers the link", async () => {
    const { partner, actor, client } = await setup();
    const project = await createProject(partner.id, { name: "Linked", client_id: client.id }, actor);
    const preview = await provisionPortalPreview(partner.id, project.id, actor);
    expect(preview.clientId).toBe(client.id);
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).clientId).toBe(client.id);
    expect(await db.client.count({ where: { previewForProjectId: project.id } })).toBe(0);
  });

  it("yields one client and one token under 20 concurrent clicks", async () => {
    const { partner, actor } = await setup();
    const project = await createProject(partner.id, { name: "Stampede" }, actor);
    const results = await Promise.all(Array.from({ length: 20 }, () => provisionPortalPreview(partner.id, project.id, actor)));
    expect(new Set(results.map((r) => r.clientId)).size).toBe(1);
    expect(new Set(results.map((r) => r.accessTokenId)).size).toBe(1);
    expect(await db.client.count({ where: { previewForProjectId: project.id } })).toBe(1);
    expect(await db.clientAccessToken.count({ where: { clientId: results[0]!.clientId, isPreview: true } })).toBe(1);
  });

  it("answers 404 for another tenant's project", async () => {
    const { actor } = await setup();
    const other = await setup();
    const theirProject = await createProject(other.partner.id, { name: "Theirs" }, other.actor);
    const mine = await db.user.findUniqueOrThrow({ where: { id: actor.id } });
    await expect(provisionPortalPreview(mine.partnerId!, theirProject.id, actor)).rejects.toThrow(/No such project/);
  });

  it("provisions from Gatehouse's own page, but refuses a cross-site form without provisioning anything", async () => {
    const { partner, actor } = await setup();
    const project = await createProject(partner.id, { name: "Linked from elsewhere" }, actor);
    const cookie = await sessionCookieFor(actor.id);
    const open = (origin: string) =>
      previewRoute(browserRequest(`/projects/${project.id}/portal-preview`, { method: "POST", cookie, headers: { origin } }), { params: Promise.resolve({ id: project.id }) });

    for (const origin of ["https://evil.example", "null", "http://localhost:3001"]) {
      const refused = await open(origin);
      expect(refused.status).toBe(403);
      expect(refused.headers.get("set-cookie")).toBeNull();
      expect(await refused.json()).toEqual({ error: "forbidden", message: "Cross-site request refused." });
    }
    expect(await db.client.count({ where: { previewForProjectId: project.id } })).toBe(0);

    const opened = await open(APP_ORIGIN);
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/portal");
    expect(opened.headers.get("set-cookie")).toContain(portalCookieName());
    expect(await db.client.count({ where: { previewForProjectId: project.id } })).toBe(1);
  });
});

describe("the portal's home page without Next (app/portal/portal-html.tsx, the production server's GET /portal)", () => {
  it("shows the client's own projects in a script-free page, and the access-required page without a valid session", async () => {
    const { GET: portalHome } = await import("@/app/portal/portal-html");
    const { partner, actor, client } = await setup();
    const { link } = await issueAccessLink(partner.id, client.id, { label: "Home" }, actor);
    const mine = await createProject(partner.id, { name: `Launch <b>${unique("p")}</b>`, client_id: client.id }, actor);
    const other = await setup();
    const theirs = await createProject(other.partner.id, { name: `Elsewhere ${unique("p")}`, client_id: other.client.id }, other.actor);

    const request = async (headers: Headers) => portalHome(new Request(`${APP_ORIGIN}/portal`, { headers }), {});
    const answer = await request(await cookieHeaders(link.id));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(answer.headers.get("cache-control")).toBe("private, no-store");
    expect(answer.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'self';/);
    const html = await answer.text();
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(html).toContain(`href="/portal/projects/${mine.id}"`);
    expect(html).toContain("Launch &lt;b&gt;"); // the project's name is text, never markup
    expect(html).not.toContain(theirs.name);
    expect(html).not.toMatch(/<script/i);

    for (const headers of [new Headers(), new Headers({ cookie: `${portalCookieName()}=garbage` })]) {
      const refused = await request(headers);
      expect(refused.status).toBe(401);
      const text = await refused.text();
      expect(text).toContain("This portal link is not valid");
      expect(text).not.toContain(mine.name.slice(0, 10));
    }
  });
});
