import { describe, expect, it } from "vitest";
import { GET as getMe } from "@/app/api/partner/me/route";
import { GET as getMembers } from "@/app/api/partner/members/route";
import { GET as listPartners } from "@/app/api/admin/partners/route";
import { POST as partnerAction } from "@/app/api/admin/partners/[id]/[action]/route";
import { POST as allowDomain } from "@/app/api/admin/allowlist/route";
import { createPartner, createUser, sessionCookieFor, browserRequest, unique } from "./support";

const noContext = {} as never;
const params = (id: string, action: string) => ({ params: Promise.resolve({ id, action }) });

describe("partner API", () => {
  it("answers the session user's own partner on /api/partner/me", async () => {
    const partner = await createPartner({ name: "Acme Reseller" });
    const user = await createUser({ partnerId: partner.id });
    const response = await getMe(browserRequest("/api/partner/me", { cookie: await sessionCookieFor(user.id) }), noContext);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ principal: { kind: "user", id: user.id }, partner: { id: partner.id, name: "Acme Reseller", status: "approved" } });
  });

  it("lists only the caller's own members", async () => {
    const mine = await createPartner();
    const theirs = await createPartner();
    const me = await createUser({ partnerId: mine.id });
    const colleague = await createUser({ partnerId: mine.id });
    const stranger = await createUser({ partnerId: theirs.id });
    const response = await getMembers(browserRequest("/api/partner/members?page_size=10", { cookie: await sessionCookieFor(me.id) }), noContext);
    const body = (await response.json()) as { members: { id: string }[]; total: number };
    expect(body.total).toBe(2);
    expect(body.members.map((m) => m.id).sort()).toEqual([me.id, colleague.id].sort());
    expect(body.members.map((m) => m.id)).not.toContain(stranger.id);
  });

  it("answers 401 without credentials and with a bad X-API-Key, even next to a valid cookie", async () => {
    expect((await getMe(browserRequest("/api/partner/me"), noContext)).status).toBe(401);
    const user = await createUser({ partnerId: (await createPartner()).id });
    const response = await getMe(browserRequest("/api/partner/me", { cookie: await sessionCookieFor(user.id), headers: { "x-api-key": "mg_notavalidkey" } }), noContext);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "unauthorized", message: "The API key is not valid." });
  });

  it("answers 403 explaining why to members of a partner that is not approved", async () => {
    const user = await createUser({ partnerId: (await createPartner({ status: "pending_approval" })).id });
    const response = await getMe(browserRequest("/api/partner/me", { cookie: await sessionCookieFor(user.id) }), noContext);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "forbidden", message: "Your organisation is awaiting approval." });
  });

  it("rejects a bad page size with 400 naming the field", async () => {
    const user = await createUser({ partnerId: (await createPartner()).id });
    const response = await getMembers(browserRequest("/api/partner/members?page_size=5000", { cookie: await sessionCookieFor(user.id) }), noContext);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/^page_size: /);
  });
});

describe("admin API", () => {
  it("is invisible (404) to partner users", async () => {
    const user = await createUser({ partnerId: (await createPartner()).id });
    const response = await listPartners(browserRequest("/api/admin/partners", { cookie: await sessionCookieFor(user.id) }), noContext);
    expect(response.status).toBe(404);
  });

  it("approves once, then answers 409 with a message", async () => {
    const admin = await createUser({ role: "admin" });
    const cookie = await sessionCookieFor(admin.id);
    const partner = await createPartner({ status: "pending_approval" });
    const first = await partnerAction(browserRequest(`/api/admin/partners/${partner.id}/approve`, { method: "POST", cookie }), params(partner.id, "approve"));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: "approved", approvedBy: { id: admin.id } });
    const second = await partnerAction(browserRequest(`/api/admin/partners/${partner.id}/approve`, { method: "POST", cookie }), params(partner.id, "approve"));
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({ error: "conflict", message: expect.stringContaining("already approved") });
  });

  it("answers 404 for an unknown partner and an unknown action", async () => {
    const cookie = await sessionCookieFor((await createUser({ role: "admin" })).id);
    expect((await partnerAction(browserRequest("/api/admin/partners/nope/approve", { method: "POST", cookie }), params("nope", "approve"))).status).toBe(404);
    const partner = await createPartner({ status: "pending_approval" });
    expect((await partnerAction(browserRequest(`/api/admin/partners/${partner.id}/explode`, { method: "POST", cookie }), params(partner.id, "explode"))).status).toBe(404);
  });

  it("refuses a cookie-authenticated change from a foreign origin (CSRF) and changes nothing", async () => {
    const cookie = await sessionCookieFor((await createUser({ role: "admin" })).id);
    const partner = await createPartner({ status: "pending_approval" });
    const response = await partnerAction(
      browserRequest(`/api/admin/partners/${partner.id}/approve`, { method: "POST", cookie, headers: { origin: "https://evil.example" } }),
      params(partner.id, "approve"),
    );
    expect(response.status).toBe(403);
    const { db } = await import("@/lib/db");
    expect((await db.partner.findUniqueOrThrow({ where: { id: partner.id } })).status).toBe("pending_approval");
  });

  it("validates JSON bodies: wrong content type 415, malformed 400, bad value 400, duplicate 409", async () => {
    const cookie = await sessionCookieFor((await createUser({ role: "admin" })).id);
    const post = (body: string, type = "application/json") =>
      allowDomain(new Request("http://localhost:3000/api/admin/allowlist", { method: "POST", headers: { cookie, origin: "http://localhost:3000", "content-type": type }, body }), noContext);
    expect((await post("value=x", "application/x-www-form-urlencoded")).status).toBe(415);
    expect((await post("{not json")).status).toBe(400);
    const bad = await post(JSON.stringify({ value: "not a domain!" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^value: must be a domain/);
    const domain = `${unique("dup")}.test`;
    expect((await post(JSON.stringify({ value: domain }))).status).toBe(201);
    expect((await post(JSON.stringify({ value: domain }))).status).toBe(409);
  });
});
