import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { GET as searchAudit } from "@/app/api/admin/audit/route";
import { GET as exportAudit } from "@/app/api/admin/audit/export/route";
import { GET as listUsers } from "@/app/api/admin/users/route";
import { POST as userAction } from "@/app/api/admin/users/[id]/[action]/route";
import { mintAdminActorForVerifiedUser, systemAdminActor } from "@/lib/auth/admin-actor";
import { searchAuditEventsAsAdmin, streamAuditEventsAsAdmin } from "@/lib/audit/search";
import { listUsersAsAdmin, setUserAdminAsAdmin } from "@/lib/auth/users";
import { db } from "@/lib/db";
import { BadRequestError, ConflictError } from "@/lib/http/errors";
import { getPartnerDetailAsAdmin } from "@/lib/partners/admin-detail";
import { browserRequest, createPartner, createUser, sessionCookieFor, unique } from "./support";

const SYSTEM = systemAdminActor();
const noParams = { params: Promise.resolve({}) };

/** Inserts audit events for a fresh partner: `count` events, one second apart, the newest at `newest`. */
async function seedEvents(partnerId: string, count: number, options: { action?: string; newest?: Date; actorId?: string; sameInstant?: boolean } = {}) {
  const newest = options.newest ?? new Date("2026-06-01T12:00:00.000Z");
  await db.auditEvent.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      occurredAt: options.sameInstant ? newest : new Date(newest.getTime() - i * 1000),
      action: options.action ?? "test.seeded",
      actorType: "user",
      actorId: options.actorId ?? "seed-actor",
      partnerId,
      targetType: "partner",
      targetId: partnerId,
      metadata: { i },
    })),
  });
}

let adminCookie: string;
let memberCookie: string;

beforeAll(async () => {
  adminCookie = await sessionCookieFor((await createUser({ role: "admin" })).id);
  memberCookie = await sessionCookieFor((await createUser({ partnerId: (await createPartner()).id })).id);
});

describe("audit search", () => {
  it("filters by partner, actor (id, email, system), action (exact and family), target and time range", async () => {
    const partner = await createPartner();
    const other = await createPartner();
    const actor = await createUser({ role: "admin" });
    await seedEvents(partner.id, 3, { action: "partner.approved", actorId: actor.id, newest: new Date("2026-05-03T00:00:10.000Z") });
    await seedEvents(partner.id, 2, { action: "partner.suspended", newest: new Date("2026-05-01T00:00:10.000Z") });
    await seedEvents(other.id, 4, { action: "partner.approved", actorId: actor.id });
    await db.auditEvent.create({ data: { action: "partner.created", actorType: "system", partnerId: partner.id, targetType: "partner", targetId: partner.id, occurredAt: new Date("2026-04-01T00:00:00.000Z") } });

    const search = async (filters: Record<string, string>) => (await searchAuditEventsAsAdmin(SYSTEM, { ...filters, limit: 200 })).events;
    expect(await search({ partner_id: partner.id })).toHaveLength(6);
    expect((await search({ partner_id: partner.id, action: "partner.approved" })).map((e) => e.action)).toEqual(["partner.approved", "partner.approved", "partner.approved"]);
    expect(await search({ partner_id: partner.id, action: "partner.*" })).toHaveLength(6);
    expect(await search({ actor: actor.id, partner_id: other.id })).toHaveLength(4);
    expect(await search({ actor: actor.email!.toUpperCase(), partner_id: partner.id })).toHaveLength(3);
    expect(await search({ actor: "nobody@example.test" })).toHaveLength(0);
    expect(await search({ actor: "system", partner_id: partner.id })).toHaveLength(1);
    expect(await search({ target: `partner:${other.id}` })).toHaveLength(4);
    expect(await search({ target: `group:${other.id}` })).toHaveLength(0);
    // from inclusive; a bare `to` date includes that whole day.
    const may = await search({ partner_id: partner.id, from: "2026-05-01", to: "2026-05-02" });
    expect(may.map((e) => e.action)).toEqual(["partner.suspended", "partner.suspended"]);
    expect(await search({ partner_id: partner.id, from: "2026-05-02T23:59:59Z" })).toHaveLength(3);
    const [first] = await search({ partner_id: partner.id });
    expect(first).toMatchObject({ partnerName: partner.name, actorEmail: actor.email, targetType: "partner" });
  });

  it("answers newest first and refuses bad dates, ranges, actions and cursors as 400s", async () => {
    for (const bad of [{ from: "yesterday" }, { to: "2026-02-30" }, { from: "2026-05-02", to: "2026-05-01" }, { action: "drop table" }, { limit: "0" }]) {
      await expect(searchAuditEventsAsAdmin(SYSTEM, bad), JSON.stringify(bad)).rejects.toThrow(ZodError);
    }
    await expect(searchAuditEventsAsAdmin(SYSTEM, { cursor: "not-a-cursor" })).rejects.toThrow(BadRequestError);
    const response = await searchAudit(browserRequest("/api/admin/audit?from=soon", { cookie: adminCookie }), noParams);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("from") });
    const badCursor = await searchAudit(browserRequest(`/api/admin/audit?cursor=${Buffer.from("2026-01-01|x").toString("base64url")}`, { cookie: adminCookie }), noParams);
    expect(badCursor.status).toBe(400);
  });

  it("pages with a keyset cursor that neither repeats nor skips, even with equal timestamps and new events arriving", async () => {
    const partner = await createPartner();
    await seedEvents(partner.id, 10, { sameInstant: true, newest: new Date("2026-03-01T00:00:00.000Z") });
    await seedEvents(partner.id, 13, { newest: new Date("2026-03-02T00:00:00.000Z") });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchAuditEventsAsAdmin(SYSTEM, { partner_id: partner.id, limit: 4, cursor });
      seen.push(...page.events.map((e) => e.id));
      // Newer events arriving between pages must not shift the pages still to come.
      await seedEvents(partner.id, 2, { newest: new Date(Date.now() + 60_000 + pages * 10_000) });
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    const expected = (
      await db.auditEvent.findMany({ where: { partnerId: partner.id, occurredAt: { lt: new Date("2026-04-01") } }, orderBy: [{ occurredAt: "desc" }, { id: "desc" }], select: { id: true } })
    ).map((e) => e.id);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(23);
    expect(pages).toBe(6);
  });

  it("answers the admin API's JSON for admins and 404 to members and anonymous callers", async () => {
    const partner = await createPartner();
    await seedEvents(partner.id, 3);
    const ok = await searchAudit(browserRequest(`/api/admin/audit?partner_id=${partner.id}&limit=2`, { cookie: adminCookie }), noParams);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { events: { partnerId: string }[]; nextCursor: string };
    expect(body.events).toHaveLength(2);
    expect(body.nextCursor).toEqual(expect.any(String));
    for (const cookie of [memberCookie, undefined]) {
      for (const handler of [searchAudit, exportAudit, listUsers]) {
        const refused = await handler(browserRequest(`/api/admin/audit?partner_id=${partner.id}`, { cookie }), noParams);
        expect(refused.status).toBe(cookie ? 404 : 401);
        expect(await refused.text()).not.toContain(partner.id);
      }
    }
    const promote = await userAction(browserRequest("/api/admin/users/x/promote", { method: "POST", cookie: memberCookie }), { params: Promise.resolve({ id: "x", action: "promote" }) });
    expect(promote.status).toBe(404);
  });
});

describe("audit CSV export", () => {
  it("streams every matching row in keyset batches, with spreadsheet-safe cells, as an attachment", async () => {
    const partner = await createPartner({ name: `=cmd|' /C calc'!A0 ${unique("p")}` });
    await seedEvents(partner.id, 450, { action: "export.test" });
    await seedEvents(partner.id, 5, { action: "export.other" });
    const response = await exportAudit(browserRequest(`/api/admin/audit/export?partner_id=${partner.id}&action=export.test`, { cookie: adminCookie }), noParams);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="gatehouse-audit-[\d-]+\.csv"$/);
    expect(response.body).toBeInstanceOf(ReadableStream);
    let chunks = 0;
    let text = "";
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      chunks++;
      text += decoder.decode(part.value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(2); // header, then one chunk per batch of 200
    const lines = text.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("occurred_at,id,action,actor_type,actor_id,actor_email,partner_id,partner_name,target_type,target_id,ip,metadata");
    expect(lines).toHaveLength(451);
    expect(lines.slice(1).every((line) => line.includes(",export.test,"))).toBe(true);
    expect(lines[1]).toContain(`,'=cmd|' /C calc'!A0`);
    expect(lines[1]).toContain(`"{""i"":0}"`);
    expect(lines[1]! > lines[2]!).toBe(true); // newest first
  });

  it("refuses bad filters with 400 before streaming, and non-admins with 404", async () => {
    const bad = await exportAudit(browserRequest("/api/admin/audit/export?to=not-a-date", { cookie: adminCookie }), noParams);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/json");
  });

  it("ignores cursor and limit: the export is the whole filtered range", async () => {
    const partner = await createPartner();
    await seedEvents(partner.id, 7);
    const rows: string[] = [];
    for await (const event of streamAuditEventsAsAdmin(SYSTEM, { partner_id: partner.id }, 3)) rows.push(event.id);
    expect(rows).toHaveLength(7);
    const response = await exportAudit(browserRequest(`/api/admin/audit/export?partner_id=${partner.id}&limit=1`, { cookie: adminCookie }), noParams);
    expect((await response.text()).split("\r\n").filter(Boolean)).toHaveLength(8);
  });
});

describe("admin users", () => {
  it("lists users by role and partner with a keyset cursor, and refuses a bad cursor", async () => {
    const partner = await createPartner();
    const members = [];
    for (let i = 0; i < 5; i++) members.push(await createUser({ partnerId: partner.id }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUsersAsAdmin(SYSTEM, { partnerId: partner.id, limit: 2, cursor });
      expect(page.users.every((u) => u.partner?.id === partner.id && u.role === "partner")).toBe(true);
      seen.push(...page.users.map((u) => u.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(members.map((m) => m.id).sort());
    await expect(listUsersAsAdmin(SYSTEM, { cursor: "bogus" })).rejects.toThrow(BadRequestError);
    const api = await listUsers(browserRequest(`/api/admin/users?partner_id=${partner.id}&role=partner`, { cookie: adminCookie }), noParams);
    expect(((await api.json()) as { users: unknown[] }).users).toHaveLength(5);
    expect((await listUsers(browserRequest("/api/admin/users?role=root", { cookie: adminCookie }), noParams)).status).toBe(400);
  });

  it("promotes and demotes through the API, audited, and answers 409 for a role the user already has", async () => {
    const admin = await createUser({ role: "admin" });
    const cookie = await sessionCookieFor(admin.id);
    const user = await createUser();
    const post = (action: string) => userAction(browserRequest(`/api/admin/users/${user.id}/${action}`, { method: "POST", cookie }), { params: Promise.resolve({ id: user.id, action }) });
    expect((await post("promote")).status).toBe(200);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("admin");
    expect((await post("promote")).status).toBe(409);
    expect((await post("demote")).status).toBe(200);
    expect((await post("demote")).status).toBe(409);
    expect((await post("delete")).status).toBe(404);
    const actions = await db.auditEvent.findMany({ where: { targetId: user.id }, orderBy: { occurredAt: "asc" }, select: { action: true, actorId: true } });
    expect(actions).toEqual([
      { action: "user.promoted_to_admin", actorId: admin.id },
      { action: "user.demoted_from_admin", actorId: admin.id },
    ]);
  });

  it("never demotes the last admin, even when the last two demote each other at once", async () => {
    const others = await db.user.findMany({ where: { role: "admin" }, select: { id: true } });
    const [a, b] = [await createUser({ role: "admin" }), await createUser({ role: "admin" })];
    // Leave exactly a and b as admins for this test, then restore everyone.
    await db.user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { role: "partner" } });
    try {
      const results = await Promise.allSettled([setUserAdminAsAdmin(a.id, "demote", mintAdminActorForVerifiedUser(b.id)), setUserAdminAsAdmin(b.id, "demote", mintAdminActorForVerifiedUser(a.id))]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(ConflictError);
      expect(refused.reason.message).toMatch(/is the last admin; promote someone else first/);
      expect(await db.user.count({ where: { role: "admin" } })).toBe(1);

      const last = (await db.user.findFirstOrThrow({ where: { role: "admin" } })).id;
      const response = await userAction(browserRequest(`/api/admin/users/${last}/demote`, { method: "POST", cookie: await sessionCookieFor(last) }), { params: Promise.resolve({ id: last, action: "demote" }) });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: "conflict", message: expect.stringContaining("last admin") });
    } finally {
      await db.user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { role: "admin" } });
    }
  });
});

describe("admin partner detail", () => {
  it("shows members, clients, key prefixes (never digests), status history and audit", async () => {
    const partner = await createPartner({ status: "pending_approval" });
    const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
    const { approvePartnerAsAdmin } = await import("@/lib/partners/approval");
    const { createApiKey } = await import("@/lib/api-keys/api-keys");
    await approvePartnerAsAdmin(partner.id, SYSTEM);
    await createApiKey(partner.id, owner.id, { name: "Detail key" }, { type: "user", id: owner.id });
    const detail = await getPartnerDetailAsAdmin(SYSTEM, partner.id);
    expect(detail.partner.status).toBe("approved");
    expect(detail.members.map((m) => m.id)).toEqual([owner.id]);
    expect(detail.apiKeys).toHaveLength(1);
    expect(Object.keys(detail.apiKeys[0]!)).not.toContain("keyDigest");
    expect(JSON.stringify(detail)).not.toMatch(/digest/i);
    expect(detail.statusHistory.map((e) => e.action)).toContain("partner.approved");
    expect(detail.recentAudit.length).toBeGreaterThan(0);
  });
});
