"use server";

import type { ActionResult } from "@/components/confirm-action";
import { PARTNER_ADMIN_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction } from "@/lib/next/actions";
import { revokeGrant } from "@/lib/oauth/authorization";

/**
 * Owners and admins disconnect any person's app in their partner (PARTNER_ADMIN_ACTION): the grant goes with every
 * token issued under it (audited as oauth.grant_revoked); a grant outside the partner is "No such connected app" (404).
 */
export async function disconnectPartnerAppAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return runAction(
    PARTNER_ADMIN_ACTION,
    async (admin) => {
      await revokeGrant(field(form, "grantId"), { partnerId: admin.partnerId }, { userId: admin.userId, partnerId: admin.partnerId });
      return "Disconnected. The app's access ends at its next request.";
    },
    ["/partner/connected-apps"],
  );
}
