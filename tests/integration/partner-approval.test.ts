import { describe, expect, it } from "vitest";
import { mintAdminActorForVerifiedUser, systemAdminActor } from "@/lib/auth/admin-actor";
import { ZodError } from "zod";
import { db } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/http/errors";
import { approvePartnerAsAdmin, rejectPartnerAsAdmin, reinstatePartnerAsAdmin, suspendPartnerAsAdmin, listPartnersAsAdmin } from "@/lib/partners/approval";
import { createPartner, createUser, sessionCookieFor, unique } from "./support";

async function pendingPartnerWithOwner() {
  const partner = await createPartner({ status: "pending_approval" });
  const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  await db.partner.update({ where: { id: partner.id }, data: { ownerUserId: owner.id } });
  return { partner, owner };
}

describe("partner approval", () => {
  it("approves a pending partner, records who and when, audits it and emails the owner", async () => {
    const admin = await createUser({ role: "admin" });
    const { partner, owner } = await pendingPartnerWithOwner();
    const view = await approvePartnerAsAdmin(partner.id, mintAdminActorForVerifiedUser(admin.id));
    expect(view).toMatchObject({ status: "approved", approvedBy: { id: admin.id, email: admin.email } });
    expect(view.approvedAt).toBeInstanceOf(Date);
    expect(await db.auditEvent.count({ where: { partnerId: partner.id, action: "partner.approved", actorId: admin.id } })).toBe(1);
    const mail = await db.outboxEmail.findUniqueOrThrow({ where: { dedupeKey: `partner.approved:${partner.id}` } });
    expect(mail.to).toEqual([owner.email]);
  });

  it("answers 409 when approving an already-decided partner, changing nothing", async () => {
    const { partner } = await pendingPartnerWithOwner();
    await approvePartnerAsAdmin(partner.id, systemAdminActor());
    await expect(approvePartnerAsAdmin(partner.id, systemAdminActor())).rejects.toThrow(ConflictError);
    await expect(rejectPartnerAsAdmin(partner.id, { reason: "changed my mind" }, systemAdminActor())).rejects.toThrow(/already approved/);
    expect((await db.partner.findUniqueOrThrow({ where: { id: partner.id } })).status).toBe("approved");
  });

  it("turns a double-click (10 concurrent approvals) into one approval and one email", async () => {
    const { partner } = await pendingPartnerWithOwner();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => approvePartnerAsAdmin(partner.id, systemAdminActor())));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason instanceof ConflictError)).toHaveLength(9);
    expect(await db.auditEvent.count({ where: { partnerId: partner.id, action: "partner.approved" } })).toBe(1);
    expect(await db.outboxEmail.count({ where: { dedupeKey: `partner.approved:${partner.id}` } })).toBe(1);
  });

  it("answers 404 for an unknown partner", async () => {
    await expect(approvePartnerAsAdmin("does-not-exist", systemAdminActor())).rejects.toThrow(NotFoundError);
  });

  it("requires a reason to reject, and stores and emails it", async () => {
    const { partner, owner } = await pendingPartnerWithOwner();
    await expect(rejectPartnerAsAdmin(partner.id, { reason: " " }, systemAdminActor())).rejects.toThrow(ZodError);
    expect((await db.partner.findUniqueOrThrow({ where: { id: partner.id } })).status).toBe("pending_approval");
    const view = await rejectPartnerAsAdmin(partner.id, { reason: "Not a reseller." }, systemAdminActor());
    expect(view).toMatchObject({ status: "rejected", rejectionReason: "Not a reseller." });
    const mail = await db.outboxEmail.findUniqueOrThrow({ where: { dedupeKey: `partner.rejected:${partner.id}` } });
    expect(mail).toMatchObject({ to: [owner.email], text: expect.stringContaining("Reason: Not a reseller.") });
  });

  it("ends every member's session at once when a partner is suspended, and can reinstate it", async () => {
    const partner = await createPartner({ status: "approved" });
    const members = await Promise.all([createUser({ partnerId: partner.id }), createUser({ partnerId: partner.id })]);
    for (const m of members) await sessionCookieFor(m.id);
    const outsider = await createUser({ partnerId: (await createPartner()).id });
    await sessionCookieFor(outsider.id);

    await suspendPartnerAsAdmin(partner.id, { reason: "Unpaid invoices" }, systemAdminActor());
    expect(await db.session.count({ where: { userId: { in: members.map((m) => m.id) } } })).toBe(0);
    expect(await db.session.count({ where: { userId: outsider.id } })).toBe(1);
    expect((await db.auditEvent.findFirstOrThrow({ where: { partnerId: partner.id, action: "partner.sessions_ended" } })).metadata).toEqual({ sessions: 2, apiKeysRevoked: 0, appGrantsRevoked: 0 });

    expect((await reinstatePartnerAsAdmin(partner.id, systemAdminActor())).status).toBe("approved");
  });

  it("lists by status with search and pagination", async () => {
    const tag = unique("zeta");
    for (let i = 0; i < 3; i++) await createPartner({ status: "pending_approval", name: `${tag} ${i}`, domain: `${tag}-${i}.test` });
    const firstPage = await listPartnersAsAdmin(systemAdminActor(), { status: "pending_approval", q: tag, pageSize: 2 });
    expect(firstPage.total).toBe(3);
    expect(firstPage.partners).toHaveLength(2);
    const secondPage = await listPartnersAsAdmin(systemAdminActor(), { status: "pending_approval", q: tag.toUpperCase(), pageSize: 2, page: 2 });
    expect(secondPage.partners).toHaveLength(1);
    expect((await listPartnersAsAdmin(systemAdminActor(), { status: "approved", q: tag })).total).toBe(0);
  });
});
