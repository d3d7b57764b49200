"use server";

import type { ActionResult } from "@/components/confirm-action";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/api-keys";
import { MEMBER_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";

/** Members of an approved partner, in their own tenant (MEMBER_ACTION); re-renders /partner/api-keys after success. */
const memberAction = (run: (context: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<Outcome>) =>
  runAction(MEMBER_ACTION, (member) => run({ partnerId: member.partnerId, actor: { type: "user", id: member.userId } }), ["/partner/api-keys"]);

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
