import { describe, expect, it } from "vitest";
import { GET as listGroups, POST as createGroup } from "@/app/api/auth/groups/route";
import { GET as getGroup, PATCH as patchGroup, DELETE as deleteGroup } from "@/app/api/auth/groups/[id]/route";
import { POST as addMember } from "@/app/api/auth/groups/[id]/members/route";
import { GET as checkMember } from "@/app/api/auth/groups/[id]/members/[userId]/route";
import { browserRequest, createPartner, createUser, sessionCookieFor } from "./support";

const none = {} as never;
const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });

describe("groups API with a browser session", () => {
  it("lets a partner member manage groups in their own tenant without scopes", async () => {
    const partner = await createPartner();
    const me = await createUser({ partnerId: partner.id });
    const colleague = await createUser({ partnerId: partner.id });
    const cookie = await sessionCookieFor(me.id);

    const created = await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie, body: { name: "Ops", description: "On call" } }), none);
    expect(created.status).toBe(201);
    const group = (await created.json()) as { id: string };
    expect((await addMember(browserRequest(`/api/auth/groups/${group.id}/members`, { method: "POST", cookie, body: { user_id: colleague.id } }), ctx({ id: group.id }))).status).toBe(201);
    expect((await addMember(browserRequest(`/api/auth/groups/${group.id}/members`, { method: "POST", cookie, body: { user_id: colleague.id } }), ctx({ id: group.id }))).status).toBe(200);
    expect((await checkMember(browserRequest(`/api/auth/groups/${group.id}/members/${colleague.id}`, { cookie }), ctx({ id: group.id, userId: colleague.id }))).status).toBe(200);

    const renamed = await patchGroup(browserRequest(`/api/auth/groups/${group.id}`, { method: "PATCH", cookie, body: { name: "Operations" } }), ctx({ id: group.id }));
    expect(await renamed.json()).toMatchObject({ name: "Operations", description: "On call", member_count: 1 });
    const list = (await (await listGroups(browserRequest("/api/auth/groups", { cookie }), none)).json()) as { groups: { name: string }[]; total: number };
    expect(list).toMatchObject({ total: 1, groups: [{ name: "Operations" }] });
    expect((await deleteGroup(browserRequest(`/api/auth/groups/${group.id}`, { method: "DELETE", cookie }), ctx({ id: group.id }))).status).toBe(204);
    expect((await getGroup(browserRequest(`/api/auth/groups/${group.id}`, { cookie }), ctx({ id: group.id }))).status).toBe(404);
  });

  it("answers 404 for another tenant's group and for adding someone from another tenant", async () => {
    const mine = await createPartner();
    const theirs = await createPartner();
    const me = await createUser({ partnerId: mine.id });
    const stranger = await createUser({ partnerId: theirs.id });
    const myCookie = await sessionCookieFor(me.id);
    const theirCookie = await sessionCookieFor(stranger.id);
    const theirGroup = (await (await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie: theirCookie, body: { name: "Secret" } }), none)).json()) as { id: string };
    expect((await getGroup(browserRequest(`/api/auth/groups/${theirGroup.id}`, { cookie: myCookie }), ctx({ id: theirGroup.id }))).status).toBe(404);
    expect((await deleteGroup(browserRequest(`/api/auth/groups/${theirGroup.id}`, { method: "DELETE", cookie: myCookie }), ctx({ id: theirGroup.id }))).status).toBe(404);

    const myGroup = (await (await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie: myCookie, body: { name: "Mine" } }), none)).json()) as { id: string };
    const addStranger = await addMember(browserRequest(`/api/auth/groups/${myGroup.id}/members`, { method: "POST", cookie: myCookie, body: { user_id: stranger.id } }), ctx({ id: myGroup.id }));
    expect(addStranger.status).toBe(404);
  });

  it("refuses bad input with 400/409 and writes nothing", async () => {
    const me = await createUser({ partnerId: (await createPartner()).id });
    const cookie = await sessionCookieFor(me.id);
    expect((await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie, body: { name: "" } }), none)).status).toBe(400);
    expect((await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie, body: { name: "x".repeat(101) } }), none)).status).toBe(400);
    expect((await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie, body: { name: "Dup" } }), none)).status).toBe(201);
    const duplicate = await createGroup(browserRequest("/api/auth/groups", { method: "POST", cookie, body: { name: "Dup" } }), none);
    expect(duplicate.status).toBe(409);
    const list = (await (await listGroups(browserRequest("/api/auth/groups", { cookie }), none)).json()) as { total: number };
    expect(list.total).toBe(1);
  });

  it("gives admins (no tenant) a 403 and members of pending partners a 403", async () => {
    const admin = await createUser({ role: "admin" });
    expect((await listGroups(browserRequest("/api/auth/groups", { cookie: await sessionCookieFor(admin.id) }), none)).status).toBe(403);
    const pending = await createUser({ partnerId: (await createPartner({ status: "pending_approval" })).id });
    expect((await listGroups(browserRequest("/api/auth/groups", { cookie: await sessionCookieFor(pending.id) }), none)).status).toBe(403);
  });
});
