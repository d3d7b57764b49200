/**
 * The browser side of connecting a directory: starting the provider's consent and finishing it at the callback. The
 * route and the setup page's action share these, so both bind the state to the same session and land the same way.
 */
import { getConfig } from "@/lib/config";
import { BadRequestError, ConflictError, UnauthorizedError } from "@/lib/http/errors";
import { logger } from "@/lib/http/logger";
import type { MemberPrincipal } from "@/lib/auth/policy";
import type { RequestMeta } from "@/lib/integrations/audit";
import { getIntegrationRecord } from "@/lib/integrations/integrations";
import { completeAuthorization, startAuthorization } from "@/lib/integrations/oauth";
import { requestSync } from "@/lib/integrations/sync";
import { IntegrationError } from "@/lib/integrations/types";

/** Where every provider sends the browser back: `<app>/api/integrations/oauth/callback`. */
export function integrationCallbackUrl(): string {
  return `${getConfig().appUrl}/api/integrations/oauth/callback`;
}

/**
 * Starts consent for one of the partner's OAuth integrations.
 * @returns the provider's authorization URL
 * @throws NotFoundError outside the tenant; BadRequestError for an AWS integration or a provider that cannot be used
 *         (with the reason); UnauthorizedError without a browser session (the state must be bound to one)
 */
export async function beginProviderConsent(principal: MemberPrincipal, integrationId: string): Promise<string> {
  if (!principal.sessionId) throw new UnauthorizedError("Connecting a directory needs a browser session.");
  const integration = await getIntegrationRecord(principal.partnerId, integrationId);
  if (integration.provider === "aws") throw new BadRequestError("AWS integrations connect with a role ARN, not a consent page");
  try {
    const { authorizationUrl } = await startAuthorization({ integration, userId: principal.userId, sessionId: principal.sessionId, redirectUri: integrationCallbackUrl() });
    return authorizationUrl;
  } catch (error) {
    // The provider cannot be used (no app configured, a refused Okta domain): the reason, as a 400.
    if (error instanceof IntegrationError) throw new BadRequestError(error.message);
    throw error;
  }
}

/**
 * Finishes consent at the callback and queues the first sync.
 * @returns where to send the browser (the integration's page, or the list), and on refusal the reason to show there
 *          (the route carries it in a cookie, never in the URL)
 */
export async function finishProviderConsent(principal: MemberPrincipal, params: URLSearchParams, meta: RequestMeta): Promise<{ location: string; notice?: string }> {
  const refused = (notice: string) => ({ location: "/partner/integrations", notice });
  if (!principal.sessionId) return refused("Connecting a directory needs a browser session.");
  try {
    const integration = await completeAuthorization({ params, userId: principal.userId, partnerId: principal.partnerId, sessionId: principal.sessionId, redirectUri: integrationCallbackUrl() });
    await requestSync(principal.partnerId, integration.id, { type: "user", id: principal.userId }, meta, "connect").catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
    });
    return { location: `/partner/integrations/${encodeURIComponent(integration.id)}?connected=1` };
  } catch (error) {
    if (error instanceof IntegrationError) return refused(error.message);
    logger.error({ err: error, requestId: meta.requestId }, "integration callback failed");
    return refused("The provider's answer could not be used. Try connecting again.");
  }
}
