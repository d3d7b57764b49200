/**
 * A person's own browser sessions ("signed-in devices" on /me). Sessions are Auth.js database sessions; ending one
 * deletes its row, so the browser holding it is signed out on its next request, on every instance.
 */
import { auditRow } from "@/lib/audit/record-audit";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/http/errors";

export interface SessionView {
  id: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  /** The browser's User-Agent at sign-in, if it sent one. */
  userAgent: string | null;
  /** Idle expiry (moves forward while the session is used). */
  expires: Date;
}

/**
 * The user's live sessions, most recently used first (at most 100: each sign-in is one).
 */
export async function listUserSessions(userId: string): Promise<SessionView[]> {
  return db.session.findMany({
    where: { userId, expires: { gt: new Date() } },
    orderBy: [{ lastSeenAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
    take: 100,
    select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true, expires: true },
  });
}

/**
 * Ends one of the user's own sessions (sign out that device).
 * @throws NotFoundError (404) when the session is not the user's
 */
export async function endUserSession(userId: string, sessionId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const ended = await tx.session.deleteMany({ where: { id: sessionId, userId } });
    if (ended.count === 0) throw new NotFoundError("No such session.");
    await tx.auditEvent.create({ data: auditRow({ action: "auth.session_ended", actor: { type: "user", id: userId }, target: { type: "session", id: sessionId } }) });
  });
}

/**
 * Ends every session of the user, this browser's included ("sign out everywhere").
 * @returns how many sessions ended
 */
export async function endAllUserSessions(userId: string): Promise<number> {
  return db.$transaction(async (tx) => {
    const ended = await tx.session.deleteMany({ where: { userId } });
    await tx.auditEvent.create({ data: auditRow({ action: "auth.signed_out_everywhere", actor: { type: "user", id: userId }, target: { type: "user", id: userId }, metadata: { sessionsEnded: ended.count } }) });
    return ended.count;
  });
}
