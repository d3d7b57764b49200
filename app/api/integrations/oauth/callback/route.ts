import { INTEGRATIONS_OAUTH_API } from "@/lib/auth/policies";
import { finishProviderConsent } from "@/lib/integrations/connect";
import { noticeSetCookie } from "@/lib/next/notice";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * The providers' redirect after consent (RFC 6749 §4.1.2): checks the state (single-use, 10 minutes, this session,
 * this partner), exchanges the code with the PKCE verifier, checks the granted scopes and that the directory is the
 * partner's, stores the tokens sealed and queues the first sync; then sends the browser to the integration's page,
 * or back to the list with the reason it was refused. Owners and admins, by session only.
 */
export const GET = route(INTEGRATIONS_OAUTH_API, async (request, context) => {
  const { location, notice } = await finishProviderConsent(context.principal, new URL(request.url).searchParams, { ip: context.ip, userAgent: request.headers.get("user-agent"), requestId: context.requestId });
  if (!notice) return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
  const { id, setCookie } = noticeSetCookie(notice);
  return new Response(null, { status: 303, headers: { Location: `${location}?error=${id}`, "Cache-Control": "no-store", "Set-Cookie": setCookie } });
});
