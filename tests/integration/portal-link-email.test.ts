/**
 * Portal magic links: nothing stored keeps a usable link (the outbox holds a redacted text, the real one sealed until
 * sent), and links expire after PORTAL_LINK_TTL_DAYS (default 30) unless the partner picks a lifetime.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { ZodError } from "zod";
import { findFreePort } from "../../scripts/lib/postgres.ts";
import { startSmtpSink, type SmtpSink } from "../../scripts/lib/smtp-sink.ts";
import { db } from "@/lib/db";
import { deliverPendingEmails, listOutboxAsAdmin } from "@/lib/mail/outbox";
import { issueAccessLink } from "@/lib/portal/clients";
import { enterPortal } from "@/lib/portal/enter";
import { unique, createPartnerWithPortalClient, linkSecretOf } from "./support";

const DAY = 86_400_000;
let sink: SmtpSink;

beforeAll(async () => {
  const port = await findFreePort();
  // lib/config reads SMTP_URL on first use, which happens after this.
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  sink = await startSmtpSink({ port });
});
afterAll(async () => {
  await sink?.stop();
});

const setup = createPartnerWithPortalClient;

const secretOf = linkSecretOf;

describe("emailed portal links", () => {
  it("are never stored usable: the outbox shows a redacted link, sends the real one, then keeps only the redacted text", async () => {
    const { partner, actor, client } = await setup();
    const contact = `${unique("contact")}@example.test`;
    const { url, link } = await issueAccessLink(partner.id, client.id, { label: "Mailed", email: contact }, actor);
    const secret = secretOf(url);

    const pending = await db.outboxEmail.findUniqueOrThrow({ where: { dedupeKey: `portal.link:${link.id}` } });
    expect(JSON.stringify(pending)).not.toContain(secret);
    expect(pending.text).toContain("/portal/enter/gpl_[redacted]");
    expect(pending.sealedText).toMatch(/^v1\./);
    const listed = (await listOutboxAsAdmin(systemAdminActor(), { pageSize: 100 })).emails.find((e) => e.id === pending.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed).not.toHaveProperty("sealedText");

    await deliverPendingEmails();
    await expect.poll(async () => (await db.outboxEmail.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("sent");
    const delivered = sink.messages.find((m) => m.to.includes(contact));
    expect(delivered?.text).toContain(url);

    const sent = await db.outboxEmail.findUniqueOrThrow({ where: { id: pending.id } });
    expect(sent.sealedText).toBeNull();
    expect(JSON.stringify(sent)).not.toContain(secret);
    expect(await enterPortal(secret, { ip: null })).toEqual({ accessTokenId: link.id });
  });
});

describe("portal link lifetime", () => {
  it("expires after PORTAL_LINK_TTL_DAYS (30) by default, or the partner's 1..365 days, and is refused once expired", async () => {
    const { partner, actor, client } = await setup();
    const byDefault = await issueAccessLink(partner.id, client.id, { label: "Default" }, actor);
    expect(byDefault.link.expiresAt).toBeInstanceOf(Date);
    expect(Math.abs(byDefault.link.expiresAt!.getTime() - (Date.now() + 30 * DAY))).toBeLessThan(60_000);

    const week = await issueAccessLink(partner.id, client.id, { label: "Week", expires_in_days: "7" }, actor);
    expect(Math.abs(week.link.expiresAt!.getTime() - (Date.now() + 7 * DAY))).toBeLessThan(60_000);

    for (const bad of [0, 366, -1, 1.5, "never"]) {
      await expect(issueAccessLink(partner.id, client.id, { label: "Bad", expires_in_days: bad }, actor)).rejects.toBeInstanceOf(ZodError);
    }

    await db.clientAccessToken.update({ where: { id: byDefault.link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await enterPortal(secretOf(byDefault.url), { ip: null })).toBeNull();
  });
});
