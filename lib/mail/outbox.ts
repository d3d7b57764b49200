/**
 * Outgoing email through a transactional outbox (nodemailer over SMTP).
 *
 * `enqueueEmail` writes the message in the caller's transaction, so the change and its notification commit
 * together; `deliverPendingEmails` sends due messages and retries failures with exponential backoff. Delivery is
 * kicked after each commit and re-armed by a timer while retries are due; nothing is lost on a crash because the
 * row stays `pending` until a send succeeds. Failures stay visible on /admin/outbox.
 *
 * A message that carries a secret (a portal magic link) is stored twice: `text`, redacted, which is all that
 * /admin/outbox ever shows, and `sealed_text`, the real text encrypted with AES-256-GCM under a key derived from
 * AUTH_SECRET, erased in the same statement that marks the message sent. Why sealed and not merely kept in clear
 * until sent: a message can stay pending for a long time (SMTP down, or no SMTP at all outside production), and
 * the database (its backups, replicas, SQL consoles) must not hold usable links meanwhile; the outbox still needs
 * the secret to survive a crash until delivery, so it cannot simply not be stored.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import nodemailer, { type Transporter } from "nodemailer";
import { db, type Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/http/logger";

/** Attempts before a message is marked `failed` (still retryable by an admin). */
export const MAX_ATTEMPTS = 8;
/** Backoff before attempt n+1, in seconds: 15 s, 30 s, 1 min, … capped at 1 h. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(15 * 2 ** Math.max(0, attempts - 1), 3600);
}

export interface EmailMessage {
  /** Idempotency key: enqueueing the same key twice stores one message (e.g. `partner.approved:<id>`). */
  dedupeKey: string;
  to: string[];
  subject: string;
  /** The text stored and shown to admins; must not contain a secret. */
  text: string;
  /**
   * The text to send instead of `text` when it carries a secret (e.g. a portal link). Stored only sealed (AES-256-GCM,
   * key derived from AUTH_SECRET) and erased once sent; never shown on /admin/outbox.
   */
  secretText?: string;
}

const SEAL_VERSION = "v1";

function sealingKey(): Buffer {
  return Buffer.from(hkdfSync("sha256", getConfig().authSecret, "gatehouse", "outbox sealed_text v1", 32));
}

/** Encrypts a message text for `sealed_text`: `v1.<iv>.<ciphertext>.<tag>` (base64url). */
export function sealText(text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(), iv);
  const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return [SEAL_VERSION, iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

/**
 * Decrypts `sealed_text`.
 * @throws Error when it was sealed under another AUTH_SECRET or tampered with (the send then fails and is retried)
 */
export function openSealedText(sealed: string): string {
  const [version, iv, ciphertext, tag] = sealed.split(".");
  if (version !== SEAL_VERSION || !iv || !ciphertext || !tag) throw new Error("sealed_text is malformed");
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("sealed_text cannot be decrypted (was AUTH_SECRET changed?)");
  }
}

/**
 * Stores a message for delivery, inside the caller's transaction. Enqueueing an existing `dedupeKey` is a no-op.
 * @returns whether a new message was stored
 */
export async function enqueueEmail(tx: Prisma.TransactionClient, message: EmailMessage): Promise<boolean> {
  const to = [...new Set(message.to.map((address) => address.trim().toLowerCase()).filter(Boolean))];
  if (to.length === 0) return false;
  const inserted = await tx.outboxEmail.createMany({
    data: [{ dedupeKey: message.dedupeKey, to, subject: message.subject, text: message.text, sealedText: message.secretText === undefined ? null : sealText(message.secretText) }],
    skipDuplicates: true,
  });
  return inserted.count === 1;
}

let transporter: Transporter | null | undefined;
function getTransporter(): Transporter | null {
  if (transporter === undefined) {
    const { smtpUrl } = getConfig();
    // Short timeouts: a hung SMTP server should fail the attempt (and schedule a retry), not hold a request.
    transporter = smtpUrl ? nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never) : null;
  }
  return transporter;
}

let running: Promise<number> | null = null;
let timer: NodeJS.Timeout | null = null;

/**
 * Sends every due pending message once. Concurrent calls in one process share a run; across instances, rows are
 * claimed with `FOR UPDATE SKIP LOCKED` so no message is sent twice.
 * @returns how many messages were sent
 */
export function deliverPendingEmails(): Promise<number> {
  running ??= deliverDue().finally(() => {
    running = null;
  });
  return running;
}

async function deliverDue(): Promise<number> {
  const transport = getTransporter();
  if (!transport) return 0; // No SMTP outside production: messages wait in the outbox, visible on /admin/outbox.
  let sent = 0;
  for (;;) {
    // Claim one due message with a 2-minute lease in a single statement (SKIP LOCKED: instances never claim the
    // same row). The SMTP conversation happens outside any transaction; a crash mid-send lets the lease expire and
    // the message is retried (at-least-once delivery).
    const claimed = await db.$queryRaw<{ id: string; to: string[]; subject: string; text: string; sealed_text: string | null; attempts: number }[]>`
      UPDATE outbox_emails SET next_attempt_at = now() + interval '2 minutes', attempts = attempts + 1
      WHERE id = (SELECT id FROM outbox_emails WHERE status = 'pending' AND next_attempt_at <= now()
                  ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, "to", subject, text, sealed_text, attempts`;
    const message = claimed[0];
    if (!message) break;
    try {
      const text = message.sealed_text === null ? message.text : openSealedText(message.sealed_text);
      await transport.sendMail({ from: getConfig().mailFrom, to: message.to, subject: message.subject, text });
      // Sent: the secret-bearing text is erased; only the redacted `text` remains.
      await db.outboxEmail.update({ where: { id: message.id }, data: { status: "sent", sentAt: new Date(), lastError: null, sealedText: null } });
      sent += 1;
    } catch (error) {
      const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      await db.outboxEmail.update({
        where: { id: message.id },
        data: {
          lastError,
          status: message.attempts >= MAX_ATTEMPTS ? "failed" : "pending",
          nextAttemptAt: new Date(Date.now() + retryDelaySeconds(message.attempts) * 1000),
        },
      });
      logger.warn({ outboxId: message.id, attempts: message.attempts, lastError }, "email delivery failed; will retry");
    }
  }
  await armRetryTimer();
  return sent;
}

async function armRetryTimer(): Promise<void> {
  const next = await db.outboxEmail.findFirst({ where: { status: "pending" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } });
  if (timer) clearTimeout(timer);
  timer = null;
  if (!next) return;
  const delay = Math.max(1_000, next.nextAttemptAt.getTime() - Date.now());
  timer = setTimeout(() => void deliverPendingEmails().catch(() => {}), Math.min(delay, 3_600_000));
  timer.unref();
}

/** Starts delivery in the background after a commit; errors are logged, never thrown to the caller. */
export function kickEmailDelivery(): void {
  deliverPendingEmails().catch((error: unknown) => {
    logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, "email delivery run failed");
  });
}

export interface OutboxEmailView {
  id: string;
  to: string[];
  subject: string;
  text: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  sentAt: Date | null;
  createdAt: Date;
}

/** Everything the admin view shows: never `sealedText`. */
const outboxViewSelect = { id: true, to: true, subject: true, text: true, status: true, attempts: true, lastError: true, nextAttemptAt: true, sentAt: true, createdAt: true } as const;

/**
 * Lists outbox messages, newest first (admin view; cross-tenant). The text is the stored, redacted one.
 * @param options.status only this status; `page` is 1-based, `pageSize` 1..100
 * @throws ForbiddenError (403) without a minted admin actor
 */
export async function listOutboxAsAdmin(admin: AdminActor, options: { status?: "pending" | "sent" | "failed"; page?: number; pageSize?: number } = {}): Promise<{
  emails: OutboxEmailView[];
  total: number;
}> {
  assertAdminActor(admin);
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const where = options.status ? { status: options.status } : {};
  const [emails, total] = await db.$transaction([
    db.outboxEmail.findMany({ where, select: outboxViewSelect, orderBy: { createdAt: "desc" }, skip: (page - 1) * pageSize, take: pageSize }),
    db.outboxEmail.count({ where }),
  ]);
  return { emails, total };
}

/** Puts a failed message back in the queue for immediate delivery (admin action). @throws ForbiddenError without an admin actor */
export async function retryEmailAsAdmin(admin: AdminActor, id: string): Promise<boolean> {
  assertAdminActor(admin);
  const updated = await db.outboxEmail.updateMany({ where: { id, status: { in: ["failed", "pending"] } }, data: { status: "pending", nextAttemptAt: new Date() } });
  if (updated.count === 1) kickEmailDelivery();
  return updated.count === 1;
}
