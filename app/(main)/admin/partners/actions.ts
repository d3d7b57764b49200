"use server";

import type { ActionResult } from "@/components/confirm-action";
import type { AdminActor } from "@/lib/auth/admin-actor";
import { ADMIN_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";
import { allowDomainAsAdmin, removeAllowlistEntryAsAdmin } from "@/lib/partners/allowlist";
import { approvePartnerAsAdmin, rejectPartnerAsAdmin, reinstatePartnerAsAdmin, suspendPartnerAsAdmin } from "@/lib/partners/approval";
import { retryEmailAsAdmin } from "@/lib/mail/outbox";

/** Signed-in admins only (ADMIN_ACTION); re-renders /admin after success. */
const adminAction = (run: (admin: AdminActor) => Promise<Outcome>) => runAction(ADMIN_ACTION, (principal) => run(principal.admin), ["/admin"]);

export async function approvePartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Approved ${(await approvePartnerAsAdmin(field(form, "partnerId"), actor)).name}.`);
}

export async function rejectPartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Rejected ${(await rejectPartnerAsAdmin(field(form, "partnerId"), { reason: field(form, "reason") }, actor)).name}.`);
}

export async function suspendPartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Suspended ${(await suspendPartnerAsAdmin(field(form, "partnerId"), { reason: field(form, "reason") }, actor)).name}.`);
}

export async function reinstatePartnerAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Reinstated ${(await reinstatePartnerAsAdmin(field(form, "partnerId"), actor)).name}.`);
}

export async function allowDomainAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Added ${(await allowDomainAsAdmin({ value: field(form, "value") }, actor)).value} to the allowlist.`);
}

export async function removeAllowlistEntryAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    await removeAllowlistEntryAsAdmin(field(form, "entryId"), actor);
    return "Removed from the allowlist.";
  });
}

export async function retryEmailAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => ((await retryEmailAsAdmin(actor, field(form, "emailId"))) ? "Queued for delivery." : "That email was already sent."));
}
