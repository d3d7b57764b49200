"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { MEMBER_ACTION } from "@/lib/auth/policies";
import { AppError } from "@/lib/http/errors";
import { authorizeAction, formDataOf, formField } from "@/lib/next/actions";
import {
  approveAuthorization,
  AUTHORIZATION_PARAM_NAMES,
  AuthorizationPageError,
  AuthorizationRedirectError,
  denialUrl,
  validateAuthorizationRequest,
  type AuthorizationParams,
} from "@/lib/oauth/authorization";
import { recordAudit } from "@/lib/audit/record-audit";
import { clientIp } from "@/lib/rate-limit/client-ip";

/**
 * The consent form's answer (Allow or Deny). The whole authorization request comes back in the form and is validated
 * again (nothing is trusted from the page); the person must still be a member of an approved partner, posting from
 * Gatehouse's own origin. Anything wrong sends the browser back to the authorization page, which explains it.
 */
export async function decideAuthorizationAction(...args: unknown[]): Promise<void> {
  let form: FormData;
  try {
    form = formDataOf(args);
  } catch {
    redirect("/oauth/authorize");
  }
  const params: AuthorizationParams = {};
  for (const name of AUTHORIZATION_PARAM_NAMES) {
    const value = form.get(name);
    if (typeof value === "string") params[name] = value;
  }
  const retry = `/oauth/authorize?${new URLSearchParams(params as Record<string, string>).toString()}`;
  const requestHeaders = await headers();
  const context = { ip: clientIp({ headers: requestHeaders }), requestId: requestHeaders.get("x-request-id") ?? undefined };

  let destination: string;
  try {
    const user = await authorizeAction(MEMBER_ACTION);
    const request = await validateAuthorizationRequest(params);
    if (formField(form, "decision") === "allow") {
      destination = await approveAuthorization(user, request, context);
    } else {
      await recordAudit({
        action: "oauth.authorization_denied",
        actor: { type: "user", id: user.userId },
        partnerId: user.partnerId,
        target: { type: "app_client", id: request.client.id },
        ip: context.ip,
        requestId: context.requestId,
        metadata: { clientId: request.client.clientId, scopes: request.scopes },
      });
      destination = denialUrl(request);
    }
  } catch (error) {
    // The page explains what went wrong (and decides whether the application may be sent the error).
    if (error instanceof AuthorizationRedirectError || error instanceof AuthorizationPageError || error instanceof AppError) destination = retry;
    else throw error;
  }
  redirect(destination);
}
