import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { db } from "@/lib/db";
import { completeSignIn, type SignInFacts } from "@/lib/partners/signup";
import { identifyOrganization } from "@/lib/partners/organization";
import { allowDomainAsAdmin } from "@/lib/partners/allowlist";
import { createPartnerAsAdmin } from "@/lib/partners/approval";
import { createUser, unique } from "./support";

const context = { ip: "203.0.113.7", userAgent: "vitest", requestId: "req-integration" };

async function signIn(email: string, claims: { hd?: string; tid?: string }, provider: "google" | "microsoft-entra-id" = "google", emailVouched = true) {
  const user = await createUser({ email });
  const facts: SignInFacts = {
    userId: user.id,
    provider,
    providerAccountId: unique("sub"),
    organization: identifyOrganization(provider, { email, ...claims }),
    isNewUser: true,
    emailVouched,
    context,
  };
  return { user, outcome: await completeSignIn(facts) };
}

describe("partner signup", () => {
  it("creates a pending partner owned by the first person from an unknown organisation, and emails the admins", async () => {
    await createUser({ role: "admin" }); // a recipient, whichever test files ran before this one
    const domain = `${unique("acme")}.test`;
    const { user, outcome } = await signIn(`alice@${domain}`, { hd: domain });
    expect(outcome).toMatchObject({ kind: "created", autoApproved: false });
    const partner = await db.partner.findUniqueOrThrow({ where: { id: (outcome as { partnerId: string }).partnerId } });
    expect(partner).toMatchObject({ status: "pending_approval", idpProvider: "google", idpOrganization: domain, ownerUserId: user.id, primaryDomain: domain });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ partnerId: partner.id, partnerRole: "owner" });
    const actions = (await db.auditEvent.findMany({ where: { partnerId: partner.id }, orderBy: { occurredAt: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["partner.signed_up", "auth.sign_in"]);
    const mail = await db.outboxEmail.findUniqueOrThrow({ where: { dedupeKey: `partner.signup:${partner.id}` } });
    expect(mail.subject).toBe(`New partner awaiting approval: ${domain}`);
  });

  it("joins a colleague from the same organisation to the same partner as a member", async () => {
    const domain = `${unique("acme")}.test`;
    const first = await signIn(`alice@${domain}`, { hd: domain });
    const second = await signIn(`bob@${domain}`, { hd: domain });
    expect(second.outcome).toEqual({ kind: "joined", partnerId: (first.outcome as { partnerId: string }).partnerId });
    expect(await db.partner.count({ where: { idpOrganization: domain } })).toBe(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: second.user.id } })).partnerRole).toBe("member");
  });

  it("identifies Entra organisations by tenant id, so two tenants with one email domain stay apart", async () => {
    const domain = `${unique("contoso")}.test`;
    const a = await signIn(`erin@${domain}`, { tid: crypto.randomUUID() }, "microsoft-entra-id");
    const b = await signIn(`frank@${domain}`, { tid: crypto.randomUUID() }, "microsoft-entra-id");
    expect((a.outcome as { partnerId: string }).partnerId).not.toBe((b.outcome as { partnerId: string }).partnerId);
  });

  it("approves at once when the domain is allow-listed, and says so in the audit log", async () => {
    const domain = `${unique("allowed")}.test`;
    await allowDomainAsAdmin({ value: domain }, systemAdminActor());
    const { outcome } = await signIn(`ann@${domain}`, { hd: domain });
    expect(outcome).toMatchObject({ kind: "created", autoApproved: true });
    const partnerId = (outcome as { partnerId: string }).partnerId;
    expect(await db.partner.findUniqueOrThrow({ where: { id: partnerId } })).toMatchObject({ status: "approved", autoApproved: true });
    const approved = await db.auditEvent.findFirstOrThrow({ where: { partnerId, action: "partner.approved" } });
    expect(approved.metadata).toEqual({ reason: "auto-approved by domain", domain });
  });

  it("creates exactly one partner when colleagues sign in for a new organisation at the same moment", async () => {
    const domain = `${unique("race")}.test`;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(`person${i}@${domain}`, { hd: domain })));
    expect(await db.partner.count({ where: { idpOrganization: domain } })).toBe(1);
    expect(results.filter((r) => r.outcome.kind === "created")).toHaveLength(1);
    expect(results.filter((r) => r.outcome.kind === "joined")).toHaveLength(7);
  });

  it("lets the first verified sign-in claim a partner an operator created for its domain", async () => {
    const domain = `${unique("preset")}.test`;
    const preset = await createPartnerAsAdmin({ name: "Preset Ltd", domain, approve: true }, systemAdminActor());
    const { user, outcome } = await signIn(`owner@${domain}`, { hd: domain });
    expect(outcome).toEqual({ kind: "joined", partnerId: preset.id });
    expect(await db.partner.findUniqueOrThrow({ where: { id: preset.id } })).toMatchObject({ idpOrganization: domain, ownerUserId: user.id, status: "approved" });
  });

  it("never puts an admin into a partner", async () => {
    const admin = await createUser({ role: "admin" });
    const outcome = await completeSignIn({
      userId: admin.id,
      provider: "google",
      providerAccountId: unique("sub"),
      organization: identifyOrganization("google", { email: admin.email, hd: "example.test" }),
      isNewUser: false,
      emailVouched: true,
      context,
    });
    expect(outcome).toEqual({ kind: "admin" });
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).partnerId).toBeNull();
  });
});

describe("partner signup with an email the identity provider does not vouch for (Entra without xms_edov)", () => {
  const adminEmail = `${unique("boss")}@admins.test`;
  const previous = process.env.ADMIN_EMAILS;
  beforeAll(() => {
    process.env.ADMIN_EMAILS = adminEmail;
    resetConfigForTests();
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.ADMIN_EMAILS;
    else process.env.ADMIN_EMAILS = previous;
    resetConfigForTests();
  });

  it("grants the admin role through ADMIN_EMAILS only to a vouched-for email", async () => {
    const unvouched = await signIn(adminEmail, { tid: crypto.randomUUID() }, "microsoft-entra-id", false);
    expect(unvouched.outcome.kind).toBe("created");
    expect((await db.user.findUniqueOrThrow({ where: { id: unvouched.user.id } })).role).toBe("partner");
    await db.user.update({ where: { id: unvouched.user.id }, data: { email: null } });

    const vouched = await signIn(adminEmail, { tid: crypto.randomUUID() }, "microsoft-entra-id", true);
    expect(vouched.outcome).toEqual({ kind: "admin" });
  });

  it("does not auto-approve an unknown tenant through an allow-listed email domain, nor trust the domain", async () => {
    const domain = `${unique("listed")}.test`;
    await allowDomainAsAdmin({ value: domain }, systemAdminActor());
    const { outcome } = await signIn(`mallory@${domain}`, { tid: crypto.randomUUID() }, "microsoft-entra-id", false);
    expect(outcome).toMatchObject({ kind: "created", autoApproved: false });
    const partner = await db.partner.findUniqueOrThrow({ where: { id: (outcome as { partnerId: string }).partnerId } });
    expect(partner).toMatchObject({ status: "pending_approval", autoApproved: false, primaryDomain: null, name: `${domain} (unverified email)` });
  });

  it("still auto-approves an allow-listed Entra tenant id (asserted by Entra itself)", async () => {
    const tid = crypto.randomUUID();
    await allowDomainAsAdmin({ value: tid }, systemAdminActor());
    const { outcome } = await signIn(`someone@${unique("t")}.test`, { tid }, "microsoft-entra-id", false);
    expect(outcome).toMatchObject({ kind: "created", autoApproved: true });
  });

  it("does not claim a partner an operator created for the domain", async () => {
    const domain = `${unique("preset")}.test`;
    const preset = await createPartnerAsAdmin({ name: "Preset Ltd", domain, approve: true }, systemAdminActor());
    const { outcome } = await signIn(`owner@${domain}`, { tid: crypto.randomUUID() }, "microsoft-entra-id", false);
    expect(outcome.kind).toBe("created");
    expect((outcome as { partnerId: string }).partnerId).not.toBe(preset.id);
  });
});
