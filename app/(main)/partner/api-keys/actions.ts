"use server";

import type { ActionResult } from "@/components/confirm-action";
import { createApiKey, revokeApiKey, revokePartnerApiKey } from "@/lib/api-keys/api-keys";
import { MEMBER_ACTION, PARTNER_KEYS_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";

/** Members of an approved partner, in their own tenant (MEMBER_ACTION); re-renders /partner/api-keys after success. */
const memberAction = (run: (context: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<Outcome>) =>
  runAction(MEMBER_ACTION, (member) => run({ partnerId: member.partnerId, actor: { type: "user", id: member.userId } }), ["/partner/api-keys"]);

export async function createApiKeyAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const scopes = form.getAll("scopes").map(String);
    // Empty days → the default lifetime (API_KEY_DEFAULT_TTL_DAYS); only the "never expires" box asks for none.
    const expiresInDays = form.get("never_expires") === "on" ? "never" : field(form, "expires_in_days") || undefined;
    const { apiKey, key } = await createApiKey(partnerId, actor.id, { name: field(form, "name"), scopes: scopes.length ? scopes : undefined, expires_in_days: expiresInDays }, actor);
    return { message: `Created ${key.name}.`, secret: apiKey };
  });
}

export async function revokeApiKeyAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => `Revoked ${(await revokeApiKey(partnerId, actor.id, field(form, "keyId"), actor)).name}.`);
}

/** Owners and admins revoke any key of their partner, an OAuth client's included (PARTNER_KEYS_ACTION; audited). */
export async function revokePartnerApiKeyAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return runAction(
    PARTNER_KEYS_ACTION,
    async (admin) => `Revoked ${(await revokePartnerApiKey(admin.partnerId, field(form, "keyId"), { type: "user", id: admin.userId })).name}.`,
    ["/partner/api-keys"],
  );
}
