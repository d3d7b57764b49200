/**
 * The declared-policy enforcement (lib/auth/policy.ts) against real sessions, keys and tokens in PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { assertAdminActor } from "@/lib/auth/admin-actor";
import { getSessionUser } from "@/lib/auth/principal";
import { authorize, definePolicy } from "@/lib/auth/policy";
import { ADMIN_API, MEMBER_API } from "@/lib/auth/policies";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { BearerError, ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/http/errors";
import { listOutboxAsAdmin } from "@/lib/mail/outbox";
import { APP_ORIGIN, createPartner, createUser, sessionCookieFor } from "./support";

async function sessionFor(email: string, expiresInMs: number): Promise<{ token: string; userId: string }> {
  const user = await db.user.upsert({ where: { email }, create: { email, name: "Test" }, update: {} });
  const token = randomBytes(32).toString("hex");
  await db.session.create({ data: { sessionToken: token, userId: user.id, expires: new Date(Date.now() + expiresInMs) } });
  return { token, userId: user.id };
}

const get = (headers: Record<string, string>) => ({ headers: new Headers(headers), method: "GET" });
const withCookie = (token: string) => get({ cookie: `other=1; authjs.session-token=${token}` });
const ANY_USER = definePolicy({ accept: ["user"], partner: "any", errors: "json" });

describe("authorize: browser sessions", () => {
  it("resolves a live session cookie to the user", async () => {
    const { token, userId } = await sessionFor("session.live@example.test", 60_000);
    expect(await authorize(ANY_USER, withCookie(token))).toMatchObject({ kind: "user", userId, role: "partner", email: "session.live@example.test" });
  });

  it("treats an expired session as no session", async () => {
    const { token } = await sessionFor("session.expired@example.test", -1_000);
    expect(await getSessionUser(withCookie(token))).toBeNull();
    await expect(authorize(ANY_USER, withCookie(token))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("answers 401 for an unknown or absent cookie", async () => {
    await expect(authorize(ANY_USER, withCookie("f".repeat(64)))).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authorize(ANY_USER, get({}))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("never falls back to the cookie when a bad Bearer credential is presented", async () => {
    const { token } = await sessionFor("session.bearer@example.test", 60_000);
    await expect(authorize(ANY_USER, get({ cookie: `authjs.session-token=${token}`, authorization: "Bearer nonsense" }))).rejects.toBeInstanceOf(BearerError);
  });

  it("does not accept a session where the endpoint accepts only other kinds", async () => {
    const { token } = await sessionFor("session.kinds@example.test", 60_000);
    await expect(authorize(definePolicy({ accept: ["service"], errors: "bearer" }), withCookie(token))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("refuses a cookie-authenticated write from another origin, and lets the same origin through", async () => {
    const partner = await createPartner();
    const cookie = await sessionCookieFor((await createUser({ partnerId: partner.id })).id);
    await expect(authorize(MEMBER_API, { headers: new Headers({ cookie, origin: "https://evil.example" }), method: "POST" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(authorize(MEMBER_API, { headers: new Headers({ cookie }), method: "DELETE" })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await authorize(MEMBER_API, { headers: new Headers({ cookie, origin: APP_ORIGIN }), method: "POST" })).toMatchObject({ partnerId: partner.id });
  });
});

describe("authorize: role and partner status", () => {
  it("gives an admin the proof admin data functions demand, and hides admin APIs from everyone else (404)", async () => {
    const admin = await createUser({ role: "admin" });
    const principal = await authorize(ADMIN_API, get({ cookie: await sessionCookieFor(admin.id) }));
    expect(() => assertAdminActor(principal.admin)).not.toThrow();
    expect((await listOutboxAsAdmin(principal.admin, { pageSize: 1 })).emails.length).toBeLessThanOrEqual(1);

    const member = await createUser({ partnerId: (await createPartner()).id });
    await expect(authorize(ADMIN_API, get({ cookie: await sessionCookieFor(member.id) }))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses a look-alike admin actor that no policy minted", async () => {
    const forged = { type: "user", id: "someone" } as unknown as Parameters<typeof listOutboxAsAdmin>[0];
    await expect(listOutboxAsAdmin(forged)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("refuses members of pending or suspended partners, naming why", async () => {
    for (const [status, reason] of [
      ["pending_approval", /awaiting approval/],
      ["suspended", /suspended/],
    ] as const) {
      const member = await createUser({ partnerId: (await createPartner({ status })).id });
      await expect(authorize(MEMBER_API, get({ cookie: await sessionCookieFor(member.id) }))).rejects.toThrow(reason);
    }
  });
});

describe("authorize: roles within a partner", () => {
  it("lets owners and admins of the partner through a partnerRole: admin policy, and refuses members", async () => {
    const TEAM_ADMIN = definePolicy({ accept: ["user"], partnerRole: "admin", errors: "json" });
    const partner = await createPartner();
    for (const [partnerRole, allowed] of [["owner", true], ["admin", true], ["member", false]] as const) {
      const user = await db.user.create({ data: { email: `${partnerRole}.${Date.now()}@example.test`, partnerId: partner.id, partnerRole } });
      const request = get({ cookie: await sessionCookieFor(user.id) });
      if (allowed) expect(await authorize(TEAM_ADMIN, request)).toMatchObject({ partnerId: partner.id, partnerRole });
      else await expect(authorize(TEAM_ADMIN, request)).rejects.toThrow(/owners and admins/);
    }
  });
});

describe("authorize: API keys and scopes", () => {
  it("accepts an API key only where the policy accepts keys, and demands the declared scopes", async () => {
    const partner = await createPartner();
    const user = await createUser({ partnerId: partner.id });
    const { apiKey } = await createApiKey(partner.id, user.id, { name: "policy test", scopes: ["groups:read"] }, { type: "user", id: user.id });
    const withKey = get({ "x-api-key": apiKey });

    await expect(authorize(MEMBER_API, withKey)).rejects.toThrow(/API keys are not accepted here/);
    const reads = definePolicy({ accept: ["api_key"], scopes: ["groups:read"], errors: "bearer" });
    expect(await authorize(reads, withKey)).toMatchObject({ kind: "api_key", partnerId: partner.id, owner: { kind: "user", userId: user.id } });
    const writes = definePolicy({ accept: ["api_key"], scopes: ["groups:write"], errors: "bearer" });
    await expect(authorize(writes, withKey)).rejects.toMatchObject({ bearerCode: "insufficient_scope", scope: "groups:write" });
  });
});
