"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { ZodError } from "zod";
import type { ActionResult } from "@/components/confirm-action";
import { getSessionUser } from "@/lib/auth/principal";
import { AppError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";
import { allowDomainAsAdmin, removeAllowlistEntryAsAdmin } from "@/lib/partners/allowlist";
import { approvePartnerAsAdmin, rejectPartnerAsAdmin, reinstatePartnerAsAdmin, suspendPartnerAsAdmin } from "@/lib/partners/approval";
import { retryEmailAsAdmin } from "@/lib/mail/outbox";

/**
 * Runs an admin action for the signed-in admin and turns every failure into a message for the page.
 * Next.js checks server actions' Origin against the host (CSRF); the admin role is re-checked here.
 */
async function asAdmin(run: (actor: { type: "user"; id: string }) => Promise<string>): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user || user.role !== "admin") return { ok: false, message: "Administrators only." };
    const message = await run({ type: "user", id: user.userId });
    revalidatePath("/admin", "layout");
    return { ok: true, message };
  } catch (error) {
    if (error instanceof ZodError) return { ok: false, message: describeZodError(error) };
    if (error instanceof AppError && error.expose) return { ok: false, message: error.message };
    if (isDatabaseUnavailable(error)) return { ok: false, message: "The database is unavailable. Try again shortly." };
    throw error;
  }
}

const field = (form: FormData, name: string) => String(form.get(name) ?? "");

export async function approvePartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => `Approved ${(await approvePartnerAsAdmin(field(form, "partnerId"), actor)).name}.`);
}

export async function rejectPartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => `Rejected ${(await rejectPartnerAsAdmin(field(form, "partnerId"), { reason: field(form, "reason") }, actor)).name}.`);
}

export async function suspendPartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => `Suspended ${(await suspendPartnerAsAdmin(field(form, "partnerId"), { reason: field(form, "reason") }, actor)).name}.`);
}

export async function reinstatePartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => `Reinstated ${(await reinstatePartnerAsAdmin(field(form, "partnerId"), actor)).name}.`);
}

export async function allowDomainAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => `Added ${(await allowDomainAsAdmin({ value: field(form, "value") }, actor)).value} to the allowlist.`);
}

export async function removeAllowlistEntryAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => {
    await removeAllowlistEntryAsAdmin(field(form, "entryId"), actor);
    return "Removed from the allowlist.";
  });
}

export async function retryEmailAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async () => ((await retryEmailAsAdmin(field(form, "emailId"))) ? "Queued for delivery." : "That email was already sent."));
}
