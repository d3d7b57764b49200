import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { findFreePort } from "../../scripts/lib/postgres.ts";
import { startSmtpSink, type SmtpSink } from "../../scripts/lib/smtp-sink.ts";
import { db } from "@/lib/db";
import { deliverPendingEmails, enqueueEmail, retryEmailAsAdmin, listOutboxAsAdmin } from "@/lib/mail/outbox";
import { unique } from "./support";

let port: number;
let sink: SmtpSink | undefined;

beforeAll(async () => {
  port = await findFreePort();
  // lib/config reads SMTP_URL on first use, which happens after this.
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
});
afterAll(async () => {
  await sink?.stop();
});

describe("email outbox", () => {
  it("keeps a message when SMTP is down, shows the error, and delivers it once SMTP is back", async () => {
    const key = unique("mail");
    await db.$transaction((tx) => enqueueEmail(tx, { dedupeKey: key, to: ["Owner@Example.test"], subject: "Hello", text: "Body line" }));
    // Enqueueing the same key again stores nothing new (idempotent notifications).
    expect(await db.$transaction((tx) => enqueueEmail(tx, { dedupeKey: key, to: ["owner@example.test"], subject: "Hello", text: "x" }))).toBe(false);

    expect(await deliverPendingEmails()).toBe(0);
    const failed = await db.outboxEmail.findUniqueOrThrow({ where: { dedupeKey: key } });
    expect(failed).toMatchObject({ status: "pending", attempts: 1, to: ["owner@example.test"] });
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    expect((await listOutboxAsAdmin(systemAdminActor(), { status: "pending" })).emails.map((e) => e.id)).toContain(failed.id);

    sink = await startSmtpSink({ port });
    expect(await retryEmailAsAdmin(systemAdminActor(), failed.id)).toBe(true);
    await expect.poll(async () => (await db.outboxEmail.findUniqueOrThrow({ where: { dedupeKey: key } })).status).toBe("sent");
    expect(sink.messages).toEqual([expect.objectContaining({ to: ["owner@example.test"], subject: "Hello", text: "Body line" })]);
  });

  it("sends each message once even when several deliveries run at the same time", async () => {
    sink ??= await startSmtpSink({ port });
    const before = sink.messages.length;
    const keys = Array.from({ length: 5 }, () => unique("bulk"));
    await db.$transaction(async (tx) => {
      for (const key of keys) await enqueueEmail(tx, { dedupeKey: key, to: ["bulk@example.test"], subject: key, text: "x" });
    });
    await Promise.all([deliverPendingEmails(), deliverPendingEmails(), deliverPendingEmails()]);
    await expect.poll(() => db.outboxEmail.count({ where: { dedupeKey: { in: keys }, status: "sent" } })).toBe(5);
    const subjects = sink.messages.slice(before).map((m) => m.subject).filter((s) => keys.includes(s));
    expect(subjects.sort()).toEqual([...keys].sort());
  });
});
