/**
 * Partner teams over real HTTP (tests/integration/http-app.ts): removal ends the member's sessions and API keys on
 * their next request; role rules (the last owner stays); another partner's member or invitation is 404; sessions
 * end at their absolute lifetime and when idle.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { db } from "@/lib/db";
import { endAllUserSessions, endUserSession, listUserSessions } from "@/lib/auth/sessions";
import { createInvitation } from "@/lib/partners/invitations";
import { changeMemberRole, removeMember, transferOwnership } from "@/lib/partners/team";
import { startTestApp, type TestApp } from "./http-app";
import { createPartner, createUser, sessionCookieFor } from "./support";
import { createProject } from "@/lib/portal/projects";
import { provisionPortalPreview } from "@/lib/portal/enter";
import { getPortalPrincipal, portalCookieName, sealPortalSession } from "@/lib/portal/session";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function call(method: string, path: string, init: { cookie?: string; apiKey?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { origin: app.url };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.apiKey) headers["x-api-key"] = init.apiKey;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${app.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function team() {
  const partner = await createPartner();
  const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const admin = await createUser({ partnerId: partner.id, partnerRole: "admin" });
  const member = await createUser({ partnerId: partner.id, partnerRole: "member" });
  return { partner, owner, admin, member };
}

describe("removing a member", () => {
  it("ends their sessions and revokes their API keys on the next request, audited in the same transaction", async () => {
    const { partner, owner, member } = await team();
    const ownerCookie = await sessionCookieFor(owner.id);
    const memberCookie = await sessionCookieFor(member.id);
    const { apiKey } = await createApiKey(partner.id, member.id, { name: "script", scopes: ["partner:read"] }, { type: "user", id: member.id });
    expect((await call("GET", "/api/partner/me", { cookie: memberCookie })).status).toBe(200);
    expect((await call("GET", "/api/partner/me", { apiKey })).status).toBe(200);

    const removed = await call("DELETE", `/api/partner/members/${member.id}`, { cookie: ownerCookie });
    expect(removed).toEqual({ status: 200, body: { removed: member.id, sessions_ended: 1, api_keys_revoked: 1 } });

    expect((await call("GET", "/api/partner/me", { cookie: memberCookie })).status).toBe(401);
    expect((await call("GET", "/api/partner/me", { apiKey })).status).toBe(401);
    expect(await db.user.findUniqueOrThrow({ where: { id: member.id }, select: { partnerId: true, partnerRole: true } })).toEqual({ partnerId: null, partnerRole: null });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "partner.member_removed", targetId: member.id } });
    expect(event).toMatchObject({ actorId: owner.id, partnerId: partner.id, metadata: { sessionsEnded: 1, apiKeysRevoked: 1 } });
  });

  it("ends the partner's live portal previews (shared by its members), so a removed member's preview cookie dies too", async () => {
    const { partner, owner, member } = await team();
    const project = await createProject(partner.id, { name: "Previewed" }, { type: "user", id: member.id });
    const { accessTokenId } = await provisionPortalPreview(partner.id, project.id, { type: "user", id: member.id });
    const previewCookie = `${portalCookieName()}=${await sealPortalSession({ accessTokenId, preview: true })}`;
    expect((await getPortalPrincipal(new Headers({ cookie: previewCookie })))?.accessTokenId).toBe(accessTokenId);
    expect((await call("DELETE", `/api/partner/members/${member.id}`, { cookie: await sessionCookieFor(owner.id) })).status).toBe(200);
    expect(await getPortalPrincipal(new Headers({ cookie: previewCookie }))).toBeNull();
  });

  it("never lets a person's key work once they are out of its partner, even a key that escaped the removal's revocation", async () => {
    const { partner, member } = await team();
    const { apiKey } = await createApiKey(partner.id, member.id, { name: "raced", scopes: ["partner:read"] }, { type: "user", id: member.id });
    expect((await call("GET", "/api/partner/me", { apiKey })).status).toBe(200);
    // What a key created concurrently with the removal would look like: unrevoked, its owner already gone.
    await db.user.update({ where: { id: member.id }, data: { partnerId: null, partnerRole: null } });
    expect((await call("GET", "/api/partner/me", { apiKey })).status).toBe(401);
  });

  it("refuses plain members (403) and another partner's owner (404, as for nobody)", async () => {
    const { member, admin } = await team();
    const stranger = await team();
    expect((await call("DELETE", `/api/partner/members/${admin.id}`, { cookie: await sessionCookieFor(member.id) })).status).toBe(403);
    const foreign = await call("DELETE", `/api/partner/members/${member.id}`, { cookie: await sessionCookieFor(stranger.owner.id) });
    expect(foreign).toEqual({ status: 404, body: { error: "not_found", message: "No such member." } });
    expect((await call("DELETE", `/api/partner/members/nobody`, { cookie: await sessionCookieFor(stranger.owner.id) })).body).toEqual(foreign.body);
    expect(await db.user.findUniqueOrThrow({ where: { id: member.id }, select: { partnerId: true } })).not.toEqual({ partnerId: null });
  });
});

describe("role rules", () => {
  it("keeps the last owner: they cannot leave, be removed or be demoted (409)", async () => {
    const { partner, owner } = await team();
    const actor = { type: "user" as const, id: owner.id, partnerRole: "owner" as const };
    await expect(removeMember(partner.id, owner.id, actor)).rejects.toMatchObject({ status: 409 });
    await expect(changeMemberRole(partner.id, owner.id, { role: "admin" }, actor)).rejects.toMatchObject({ status: 409 });
    const patched = await call("PATCH", `/api/partner/members/${owner.id}`, { cookie: await sessionCookieFor(owner.id), body: { role: "member" } });
    expect(patched.status).toBe(409);
    expect(await db.user.findUniqueOrThrow({ where: { id: owner.id }, select: { partnerRole: true } })).toEqual({ partnerRole: "owner" });
  });

  it("lets admins manage members but not owners, and owners transfer ownership", async () => {
    const { partner, owner, admin, member } = await team();
    const adminCookie = await sessionCookieFor(admin.id);
    expect(await call("PATCH", `/api/partner/members/${member.id}`, { cookie: adminCookie, body: { role: "admin" } })).toEqual({ status: 200, body: { id: member.id, role: "admin" } });
    expect((await call("PATCH", `/api/partner/members/${owner.id}`, { cookie: adminCookie, body: { role: "member" } })).status).toBe(403);
    expect((await call("PATCH", `/api/partner/members/${member.id}`, { cookie: adminCookie, body: { role: "owner" } })).status).toBe(403);
    expect((await call("PATCH", `/api/partner/members/${member.id}`, { cookie: adminCookie, body: { role: "boss" } })).status).toBe(400);

    await transferOwnership(partner.id, admin.id, { type: "user", id: owner.id, partnerRole: "owner" });
    const roles = await db.user.findMany({ where: { partnerId: partner.id }, select: { id: true, partnerRole: true } });
    expect(Object.fromEntries(roles.map((r) => [r.id, r.partnerRole]))).toEqual({ [owner.id]: "admin", [admin.id]: "owner", [member.id]: "admin" });
    expect(await db.partner.findUniqueOrThrow({ where: { id: partner.id }, select: { ownerUserId: true } })).toEqual({ ownerUserId: admin.id });
    // The former owner, now an admin, can leave; the new sole owner cannot.
    await removeMember(partner.id, owner.id, { type: "user", id: owner.id, partnerRole: "admin" });
    await expect(removeMember(partner.id, admin.id, { type: "user", id: admin.id, partnerRole: "owner" })).rejects.toMatchObject({ status: 409 });
  });
});

describe("invitations API", () => {
  it("invites through the outbox, lists for members, and answers 404 for another partner's invitation", async () => {
    const { partner, owner, member } = await team();
    const stranger = await team();
    const email = `invitee-${partner.id}@example.test`;
    const created = await call("POST", "/api/partner/invitations", { cookie: await sessionCookieFor(owner.id), body: { email: email.toUpperCase(), role: "admin" } });
    expect(created).toMatchObject({ status: 201, body: { email, role: "admin", status: "pending" } });
    expect(await db.outboxEmail.count({ where: { dedupeKey: `partner.invitation:${created.body!.id}` } })).toBe(1);
    expect((await call("POST", "/api/partner/invitations", { cookie: await sessionCookieFor(owner.id), body: { email } })).status).toBe(409);
    expect((await call("POST", "/api/partner/invitations", { cookie: await sessionCookieFor(owner.id), body: { email: "not an email" } })).status).toBe(400);
    expect((await call("POST", "/api/partner/invitations", { cookie: await sessionCookieFor(member.id), body: { email: "x@example.test" } })).status).toBe(403);
    const listed = await call("GET", "/api/partner/invitations", { cookie: await sessionCookieFor(member.id) });
    expect(listed.body).toMatchObject({ total: 1, invitations: [{ email }] });

    expect((await call("DELETE", `/api/partner/invitations/${created.body!.id}`, { cookie: await sessionCookieFor(stranger.owner.id) })).status).toBe(404);
    expect((await call("DELETE", `/api/partner/invitations/${created.body!.id}`, { cookie: await sessionCookieFor(owner.id) })).status).toBe(200);
    expect((await call("DELETE", `/api/partner/invitations/${created.body!.id}`, { cookie: await sessionCookieFor(owner.id) })).status).toBe(404);
    await createInvitation(partner.id, { email }, { type: "user", id: owner.id, partnerRole: "owner" }); // re-inviting after a revoke works
  });
});

describe("signed-in devices", () => {
  it("lists a person's sessions, ends one of their own (never someone else's), and signs out everywhere", async () => {
    const { member, admin } = await team();
    const laptop = await sessionCookieFor(member.id);
    const phone = await sessionCookieFor(member.id);
    const sessions = await listUserSessions(member.id);
    expect(sessions).toHaveLength(2);
    const phoneSession = await db.session.findUniqueOrThrow({ where: { sessionToken: phone.split("=")[1]! } });
    await expect(endUserSession(admin.id, phoneSession.id)).rejects.toMatchObject({ status: 404 });
    await endUserSession(member.id, phoneSession.id);
    expect((await call("GET", "/api/partner/me", { cookie: phone })).status).toBe(401);
    expect((await call("GET", "/api/partner/me", { cookie: laptop })).status).toBe(200);
    expect(await endAllUserSessions(member.id)).toBe(1);
    expect((await call("GET", "/api/partner/me", { cookie: laptop })).status).toBe(401);
  });
});

describe("session lifetimes", () => {
  it("ends a session at its absolute lifetime even while its idle expiry is ahead, and an idle one", async () => {
    const { member } = await team();
    const old = await sessionCookieFor(member.id);
    await db.session.update({ where: { sessionToken: old.split("=")[1]! }, data: { createdAt: new Date(Date.now() - 169 * 3_600_000) } });
    expect((await call("GET", "/api/partner/me", { cookie: old })).status).toBe(401);

    const idle = await sessionCookieFor(member.id);
    await db.session.update({ where: { sessionToken: idle.split("=")[1]! }, data: { expires: new Date(Date.now() - 1000) } });
    expect((await call("GET", "/api/partner/me", { cookie: idle })).status).toBe(401);

    const fresh = await sessionCookieFor(member.id);
    expect((await call("GET", "/api/partner/me", { cookie: fresh })).status).toBe(200);
    await expect.poll(async () => (await db.session.findUniqueOrThrow({ where: { sessionToken: fresh.split("=")[1]! } })).lastSeenAt).not.toBeNull();
    const touched = await db.session.findUniqueOrThrow({ where: { sessionToken: fresh.split("=")[1]! } });
    // The idle expiry moved to ~12 h from now (SESSION_IDLE_HOURS default).
    expect(Math.abs(touched.expires.getTime() - (Date.now() + 12 * 3_600_000))).toBeLessThan(60_000);
  });
});
