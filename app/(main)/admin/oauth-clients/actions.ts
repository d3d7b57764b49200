"use server";

import type { ActionResult } from "@/components/confirm-action";
import type { AdminActor } from "@/lib/auth/admin-actor";
import { ADMIN_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";
import { createOAuthClientAsAdmin, deleteOAuthClientAsAdmin, disableOAuthClientAsAdmin, enableOAuthClientAsAdmin, rotateOAuthClientSecretAsAdmin } from "@/lib/oauth/clients";

/** Signed-in admins only (ADMIN_ACTION); re-renders /admin/oauth-clients after success. */
const adminAction = (run: (admin: AdminActor) => Promise<Outcome>) => runAction(ADMIN_ACTION, (principal) => run(principal.admin), ["/admin/oauth-clients"]);

export async function createClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    const { client, clientSecret } = await createOAuthClientAsAdmin(
      { name: field(form, "name"), partner_id: field(form, "partner_id"), scopes: form.getAll("scopes").map(String), access_token_ttl: field(form, "access_token_ttl") || undefined },
      actor,
    );
    return { message: `Registered ${client.name}. client_id: ${client.clientId}`, secret: clientSecret };
  });
}

export async function rotateSecretAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    const { client, clientSecret } = await rotateOAuthClientSecretAsAdmin(field(form, "id"), actor);
    return { message: `New secret for ${client.name}. The old one no longer works.`, secret: clientSecret };
  });
}

export async function disableClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Disabled ${(await disableOAuthClientAsAdmin(field(form, "id"), actor)).name}.`);
}

export async function enableClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => `Enabled ${(await enableOAuthClientAsAdmin(field(form, "id"), actor)).name}.`);
}

export async function deleteClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return adminAction(async (actor) => {
    await deleteOAuthClientAsAdmin(field(form, "id"), actor);
    return "Deleted.";
  });
}
