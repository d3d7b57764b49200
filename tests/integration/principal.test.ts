import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { getPrincipal, getSessionUser } from "@/lib/auth/principal";
import { BearerError, UnauthorizedError } from "@/lib/http/errors";

async function sessionFor(email: string, expiresInMs: number): Promise<{ token: string; userId: string }> {
  const user = await db.user.upsert({ where: { email }, create: { email, name: "Test" }, update: {} });
  const token = randomBytes(32).toString("hex");
  await db.session.create({ data: { sessionToken: token, userId: user.id, expires: new Date(Date.now() + expiresInMs) } });
  return { token, userId: user.id };
}

const withCookie = (token: string) => ({ headers: new Headers({ cookie: `other=1; authjs.session-token=${token}` }) });

describe("getPrincipal for browser sessions", () => {
  it("resolves a live session cookie to the user", async () => {
    const { token, userId } = await sessionFor("session.live@example.test", 60_000);
    const principal = await getPrincipal(withCookie(token), { accept: ["user"] });
    expect(principal).toMatchObject({ kind: "user", userId, role: "partner", email: "session.live@example.test" });
  });

  it("treats an expired session as no session", async () => {
    const { token } = await sessionFor("session.expired@example.test", -1_000);
    expect(await getSessionUser(withCookie(token))).toBeNull();
    await expect(getPrincipal(withCookie(token), { accept: ["user"] })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("answers 401 for an unknown or absent cookie", async () => {
    await expect(getPrincipal(withCookie("f".repeat(64)), { accept: ["user"] })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(getPrincipal({ headers: new Headers() }, { accept: ["user"] })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("never falls back to the cookie when a bad Bearer credential is presented", async () => {
    const { token } = await sessionFor("session.bearer@example.test", 60_000);
    const request = { headers: new Headers({ cookie: `authjs.session-token=${token}`, authorization: "Bearer nonsense" }) };
    await expect(getPrincipal(request, { accept: ["user"] })).rejects.toBeInstanceOf(BearerError);
  });

  it("does not accept a session where the endpoint accepts only other kinds", async () => {
    const { token } = await sessionFor("session.kinds@example.test", 60_000);
    await expect(getPrincipal(withCookie(token), { accept: ["service"] })).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
