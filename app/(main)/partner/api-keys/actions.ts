"use server";

import type { ActionResult } from "@/components/confirm-action";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/api-keys";
import { formField as field, runAsPartnerMember } from "@/lib/http/actions";

const memberAction = (run: Parameters<typeof runAsPartnerMember>[0]) => runAsPartnerMember(run, ["/partner/api-keys"]);

export async function createApiKeyAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const scopes = form.getAll("scopes").map(String);
    const { apiKey, key } = await createApiKey(partnerId, actor.id, { name: field(form, "name"), scopes: scopes.length ? scopes : undefined, expires_in_days: field(form, "expires_in_days") || undefined }, actor);
    return { message: `Created ${key.name}.`, secret: apiKey };
  });
}

export async function revokeApiKeyAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => `Revoked ${(await revokeApiKey(partnerId, actor.id, field(form, "keyId"), actor)).name}.`);
}
