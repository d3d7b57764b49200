/**
 * Shared plumbing for server actions: resolve the signed-in user, run, and turn failures into a message for the page.
 * Next.js checks a server action's Origin against the host (CSRF); roles and tenancy are checked here.
 */
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { ZodError } from "zod";
import type { ActionResult } from "@/components/confirm-action";
import { getSessionUser, requireApprovedPartnerUser } from "@/lib/auth/principal";
import { mintAdminActorForVerifiedUser, type AdminActor } from "@/lib/auth/admin-actor";
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

/** A form field as a string ("" when absent); zod in lib/ validates it. */
export function formField(form: FormData, name: string): string {
  return String(form.get(name) ?? "");
}

/** After a successful action, re-renders these paths (and everything under them). */
function revalidate(paths: readonly string[]): void {
  for (const path of paths) revalidatePath(path, "layout");
}

/** Runs `run` for a signed-in admin; on success re-renders `revalidatePaths`. */
export async function runAsAdmin(run: (actor: AdminActor) => Promise<Outcome>, revalidatePaths: readonly string[] = []): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user || user.role !== "admin") return { ok: false, message: "Administrators only." };
    const result = toResult(await run(mintAdminActorForVerifiedUser(user.userId)));
    revalidate(revalidatePaths);
    return result;
  } catch (error) {
    return failure(error);
  }
}

/** Runs `run` in the signed-in partner member's own tenant; on success re-renders `revalidatePaths`. */
export async function runAsPartnerMember(
  run: (context: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<Outcome>,
  revalidatePaths: readonly string[] = [],
): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user) return { ok: false, message: "Your session has ended. Sign in again." };
    const { partnerId, userId } = requireApprovedPartnerUser(user);
    const result = toResult(await run({ partnerId, actor: { type: "user", id: userId } }));
    revalidate(revalidatePaths);
    return result;
  } catch (error) {
    return failure(error);
  }
}
