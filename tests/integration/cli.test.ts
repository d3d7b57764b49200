import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Runs the operator CLI as operators do (a real process, JSON on stdout). */
async function gatehouse(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "scripts", "cli.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "silent" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("operator CLI", () => {
  it("creates an admin, prints it as JSON and audits it", async () => {
    const result = await gatehouse("admin", "create", "--email", "Ops.Lead@Example.test", "--name", "Ops Lead");
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { created: boolean; user: { id: string; email: string; role: string } };
    expect(output).toMatchObject({ created: true, user: { email: "ops.lead@example.test", role: "admin" } });
    const stored = await db.user.findUnique({ where: { email: "ops.lead@example.test" } });
    expect(stored?.role).toBe("admin");
    const audit = await db.auditEvent.findFirst({ where: { action: "user.admin_created", targetId: output.user.id } });
    expect(audit).toMatchObject({ actorType: "system" });
  });

  it("promotes an existing user instead of creating a duplicate", async () => {
    const user = await db.user.create({ data: { email: "promote.me@example.test", role: "partner" } });
    const result = await gatehouse("admin", "create", "--email", "promote.me@example.test");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ created: false, user: { id: user.id, role: "admin" } });
    expect(await db.user.count({ where: { email: "promote.me@example.test" } })).toBe(1);
  });

  it("lists users filtered by role", async () => {
    const result = await gatehouse("users", "list", "--role", "admin", "--limit", "200");
    expect(result.code).toBe(0);
    const { users } = JSON.parse(result.stdout) as { users: { email: string; role: string }[] };
    expect(users.map((u) => u.email)).toEqual(expect.arrayContaining(["ops.lead@example.test", "promote.me@example.test"]));
    expect(users.every((u) => u.role === "admin")).toBe(true);
  });

  it("rejects an invalid email with a message and exit code 1, writing nothing", async () => {
    const before = await db.user.count();
    const result = await gatehouse("admin", "create", "--email", "not-an-email");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/email: must be an email address/);
    expect(result.stdout).toBe("");
    expect(await db.user.count()).toBe(before);
  });

  it("explains usage for an unknown command", async () => {
    const result = await gatehouse("frobnicate");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Usage: npm run gatehouse/);
  });

  it("scripts partners: create with a domain, list, approve once (409 exits 2), reject with a reason", async () => {
    const domain = `cli-${Date.now()}.test`;
    const created = await gatehouse("partners", "create", "--name", "CLI Reseller", "--domain", domain);
    expect(created.code).toBe(0);
    const partner = JSON.parse(created.stdout) as { id: string; status: string; primaryDomain: string };
    expect(partner).toMatchObject({ status: "pending_approval", primaryDomain: domain });

    const listed = JSON.parse((await gatehouse("partners", "list", "--status", "pending_approval", "--q", domain)).stdout) as { partners: { id: string }[] };
    expect(listed.partners.map((p) => p.id)).toEqual([partner.id]);

    expect(JSON.parse((await gatehouse("partners", "approve", partner.id)).stdout)).toMatchObject({ id: partner.id, status: "approved" });
    const again = await gatehouse("partners", "approve", partner.id);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already approved/);

    const other = JSON.parse((await gatehouse("partners", "create", "--name", "Reject Me")).stdout) as { id: string };
    expect((await gatehouse("partners", "reject", other.id)).code).toBe(1);
    expect(JSON.parse((await gatehouse("partners", "reject", other.id, "--reason", "Duplicate signup")).stdout)).toMatchObject({ status: "rejected", rejectionReason: "Duplicate signup" });
    expect((await gatehouse("partners", "approve", "no-such-partner")).code).toBe(2);
  });

  it("creates an approved partner in one step and allow-lists a domain", async () => {
    const approved = JSON.parse((await gatehouse("partners", "create", "--name", "Fast Track", "--approve")).stdout) as { status: string };
    expect(approved.status).toBe("approved");
    const domain = `allow-${Date.now()}.test`;
    const allowed = await gatehouse("domains", "allow", domain);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ kind: "email_domain", value: domain });
    const duplicate = await gatehouse("domains", "allow", domain);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toMatch(/already on the allowlist/);
  });
  it("promotes and demotes a user, and searches the audit log as JSON", async () => {
    const user = await db.user.create({ data: { email: `cli-${Date.now()}@example.test`, role: "partner" } });
    expect(JSON.parse((await gatehouse("users", "promote", user.id)).stdout)).toMatchObject({ id: user.id, role: "admin" });
    expect((await gatehouse("users", "promote", user.id)).code).toBe(2);
    expect(JSON.parse((await gatehouse("users", "demote", user.id)).stdout)).toMatchObject({ id: user.id, role: "partner" });

    const found = await gatehouse("audit", "search", "--target", `user:${user.id}`, "--action", "user.*", "--since", "2020-01-01", "--limit", "10");
    expect(found.code).toBe(0);
    const { events } = JSON.parse(found.stdout) as { events: { action: string; actorType: string }[] };
    expect(events.map((e) => e.action)).toEqual(["user.demoted_from_admin", "user.promoted_to_admin"]);
    expect(events.every((e) => e.actorType === "system")).toBe(true);
    const bad = await gatehouse("audit", "search", "--since", "last tuesday");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/from: must be a date/);
  });

  it("removes a member: their sessions end and their keys are revoked, audited as the system; the last owner stays (exit 2)", async () => {
    const { createPartner, createUser, sessionCookieFor } = await import("./support");
    const { createApiKey } = await import("@/lib/api-keys/api-keys");
    const partner = await createPartner();
    const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
    const member = await createUser({ partnerId: partner.id });
    await sessionCookieFor(member.id);
    await createApiKey(partner.id, member.id, { name: "cli" }, { type: "user", id: member.id });
    const removed = await gatehouse("members", "remove", member.id);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: member.id, partner_id: partner.id, sessions_ended: 1, api_keys_revoked: 1 });
    expect(await db.auditEvent.findFirst({ where: { action: "partner.member_removed", targetId: member.id } })).toMatchObject({ actorType: "system", partnerId: partner.id });
    const last = await gatehouse("members", "remove", owner.id);
    expect(last.code).toBe(2);
    expect(last.stderr).toMatch(/last owner/);
    expect((await gatehouse("members", "remove", member.id)).code).toBe(2);
  });
});
