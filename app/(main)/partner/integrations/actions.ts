"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ActionResult } from "@/components/confirm-action";
import { PARTNER_ADMIN_ACTION } from "@/lib/auth/policies";
import { AppError } from "@/lib/http/errors";
import { beginProviderConsent } from "@/lib/integrations/connect";
import type { RequestMeta } from "@/lib/integrations/audit";
import { connectAwsRole, createIntegration, disconnectIntegration, updateIntegration } from "@/lib/integrations/integrations";
import { requestSync } from "@/lib/integrations/sync";
import { authorizeAction, formDataOf, formField as field, runAction } from "@/lib/next/actions";
import { setNotice } from "@/lib/next/notice";
import { clientIp } from "@/lib/rate-limit/client-ip";

/** The audit context of the action's request. */
async function meta(): Promise<RequestMeta> {
  const h = await headers();
  return { ip: clientIp({ headers: h }), userAgent: h.get("user-agent")?.slice(0, 300) ?? null, requestId: h.get("x-request-id") };
}

/**
 * The wizard's "Create" (owners and admins): creates the integration and goes to its setup step. Invalid input comes
 * back to the form as a message.
 */
export async function createIntegrationAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  let created: string | null = null;
  const result = await runAction(PARTNER_ADMIN_ACTION, async (admin) => {
    const provider = field(form, "provider");
    const input = provider === "aws" ? { provider, name: field(form, "name") } : { provider, name: field(form, "name"), directory: field(form, "directory") };
    created = (await createIntegration(admin.partnerId, input, { type: "user", id: admin.userId }, await meta())).id;
    return "Created.";
  }, ["/partner/integrations"]);
  if (created) redirect(`/partner/integrations/${encodeURIComponent(created)}/setup`);
  return result;
}

/** AWS setup: saves the role ARN after the three checks; the first sync is queued. */
export async function connectAwsRoleAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  let connected: string | null = null;
  const result = await runAction(PARTNER_ADMIN_ACTION, async (admin) => {
    const integration = await connectAwsRole(admin.partnerId, field(form, "integrationId"), { role_arn: field(form, "role_arn") }, { type: "user", id: admin.userId }, await meta());
    connected = integration.id;
    return "Connected.";
  });
  if (connected) redirect(`/partner/integrations/${encodeURIComponent(connected)}?connected=1`);
  return result;
}

/**
 * "Connect with <provider>": starts the provider's consent (state bound to this session) and sends the browser there.
 * A refusal goes back to the setup page with the reason.
 */
export async function startConsentAction(...args: unknown[]): Promise<void> {
  const form = formDataOf(args);
  const integrationId = field(form, "integrationId");
  let destination: string;
  try {
    const admin = await authorizeAction(PARTNER_ADMIN_ACTION);
    destination = await beginProviderConsent(admin, integrationId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    destination = `/partner/integrations?error=${await setNotice(error.expose ? error.message : "The connection could not start.")}`;
  }
  redirect(destination);
}

/** "Sync now": queues a sync; 409 (one already running) comes back as its message. */
export async function syncNowAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  const integrationId = field(form, "integrationId");
  return runAction(
    PARTNER_ADMIN_ACTION,
    async (admin) => {
      await requestSync(admin.partnerId, integrationId, { type: "user", id: admin.userId }, await meta());
      return "Sync queued.";
    },
    [`/partner/integrations/${integrationId}`],
  );
}

/** Settings: the name and the sync schedule (empty: on request only). */
export async function updateIntegrationAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  const integrationId = field(form, "integrationId");
  return runAction(
    PARTNER_ADMIN_ACTION,
    async (admin) => {
      const interval = field(form, "sync_interval_hours");
      await updateIntegration(
        admin.partnerId,
        integrationId,
        { name: field(form, "name"), sync_interval_minutes: interval === "" ? null : Math.round(Number(interval) * 60) },
        { type: "user", id: admin.userId },
        await meta(),
      );
      return "Saved.";
    },
    [`/partner/integrations/${integrationId}`],
  );
}

/** Disconnect and purge (behind a confirmation): credentials, resources and jobs are deleted; the audit stays. */
export async function disconnectIntegrationAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  let done = false;
  const result = await runAction(PARTNER_ADMIN_ACTION, async (admin) => {
    const { purgedResources } = await disconnectIntegration(admin.partnerId, field(form, "integrationId"), { type: "user", id: admin.userId }, await meta());
    done = true;
    return `Disconnected; ${purgedResources} resources deleted.`;
  }, ["/partner/integrations"]);
  if (done) redirect("/partner/integrations?disconnected=1");
  return result;
}
