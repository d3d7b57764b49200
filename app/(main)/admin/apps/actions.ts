"use server";

import type { ActionResult } from "@/components/confirm-action";
import type { AdminActor } from "@/lib/auth/admin-actor";
import { ADMIN_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";
import { blockAppClientAsAdmin, createAppClientAsAdmin, unblockAppClientAsAdmin } from "@/lib/oauth/app-clients";

/** Signed-in admins only (ADMIN_ACTION); re-renders /admin/apps after success. */
const adminAction = (run: (admin: AdminActor) => Promise<Outcome>) => runAction(ADMIN_ACTION, (principal) => run(principal.admin), ["/admin/apps"]);

export async function createAppClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    const { client, clientSecret } = await createAppClientAsAdmin(
      { name: field(form, "name"), redirect_uris: field(form, "redirect_uris"), confidential: form.get("confidential") === "on" },
      actor,
    );
    return { message: `Registered ${client.name}. client_id: ${client.clientId}`, secret: clientSecret };
  });
}

/** Blocks an application everywhere; every grant to it is deleted (audited). */
export async function blockAppClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    await blockAppClientAsAdmin(field(form, "id"), actor);
    return "Blocked. Every person's connection to it has ended.";
  });
}

export async function unblockAppClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    await unblockAppClientAsAdmin(field(form, "id"), actor);
    return "Unblocked. People must connect it again.";
  });
}
