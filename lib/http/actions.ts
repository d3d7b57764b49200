/**
 * Shared plumbing for server actions: resolve the signed-in user, run, and turn failures into a message for the page.
 * Next.js checks a server action's Origin against the host (CSRF); roles and tenancy are checked here.
 */
import { headers } from "next/headers";
import { ZodError } from "zod";
import type { ActionResult } from "@/components/confirm-action";
import { getSessionUser, requireApprovedPartnerUser } from "@/lib/auth/principal";
import { AppError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";

type Outcome = string | { message: string; secret?: string };

function toResult(outcome: Outcome): ActionResult {
  return typeof outcome === "string" ? { ok: true, message: outcome } : { ok: true, ...outcome };
}

function failure(error: unknown): ActionResult {
  if (error instanceof ZodError) return { ok: false, message: describeZodError(error) };
  if (error instanceof AppError && error.expose) return { ok: false, message: error.message };
  if (isDatabaseUnavailable(error)) return { ok: false, message: "The database is unavailable. Try again shortly." };
  throw error;
}

/** Runs `run` for a signed-in admin. */
export async function runAsAdmin(run: (actor: { type: "user"; id: string }) => Promise<Outcome>): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user || user.role !== "admin") return { ok: false, message: "Administrators only." };
    return toResult(await run({ type: "user", id: user.userId }));
  } catch (error) {
    return failure(error);
  }
}

/** Runs `run` in the signed-in partner member's own tenant. */
export async function runAsPartnerMember(run: (context: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<Outcome>): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user) return { ok: false, message: "Your session has ended. Sign in again." };
    const { partnerId, userId } = requireApprovedPartnerUser(user);
    return toResult(await run({ partnerId, actor: { type: "user", id: userId } }));
  } catch (error) {
    return failure(error);
  }
}
