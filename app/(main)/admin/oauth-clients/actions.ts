"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { ZodError } from "zod";
import type { ActionResult } from "@/components/confirm-action";
import { getSessionUser } from "@/lib/auth/principal";
import { AppError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { createOAuthClientAsAdmin, deleteOAuthClientAsAdmin, disableOAuthClientAsAdmin, enableOAuthClientAsAdmin, rotateOAuthClientSecretAsAdmin } from "@/lib/oauth/clients";

async function asAdmin(run: (actor: { type: "user"; id: string }) => Promise<{ message: string; secret?: string }>): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user || user.role !== "admin") return { ok: false, message: "Administrators only." };
    const result = await run({ type: "user", id: user.userId });
    revalidatePath("/admin/oauth-clients");
    return { ok: true, ...result };
  } catch (error) {
    if (error instanceof ZodError) return { ok: false, message: describeZodError(error) };
    if (error instanceof AppError && error.expose) return { ok: false, message: error.message };
    throw error;
  }
}

const field = (form: FormData, name: string) => String(form.get(name) ?? "");

export async function createClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => {
    const { client, clientSecret } = await createOAuthClientAsAdmin(
      { name: field(form, "name"), partner_id: field(form, "partner_id"), scopes: form.getAll("scopes").map(String), access_token_ttl: field(form, "access_token_ttl") || undefined },
      actor,
    );
    return { message: `Registered ${client.name}. client_id: ${client.clientId}`, secret: clientSecret };
  });
}

export async function rotateSecretAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => {
    const { client, clientSecret } = await rotateOAuthClientSecretAsAdmin(field(form, "id"), actor);
    return { message: `New secret for ${client.name}. The old one no longer works.`, secret: clientSecret };
  });
}

export async function disableClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => ({ message: `Disabled ${(await disableOAuthClientAsAdmin(field(form, "id"), actor)).name}.` }));
}

export async function enableClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => ({ message: `Enabled ${(await enableOAuthClientAsAdmin(field(form, "id"), actor)).name}.` }));
}

export async function deleteClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asAdmin(async (actor) => {
    await deleteOAuthClientAsAdmin(field(form, "id"), actor);
    return { message: "Deleted." };
  });
}
