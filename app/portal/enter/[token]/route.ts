import { clientIp, enforceRateLimit } from "@/lib/http/rate-limit";
import { route } from "@/lib/http/route";
import { enterPortal } from "@/lib/portal/enter";
import { portalCookieHeader, sealPortalSession } from "@/lib/portal/session";
import { accessRequiredResponse } from "@/lib/portal/access-required";

export const dynamic = "force-dynamic";

/**
 * `GET /portal/enter/{token}`: validates the magic link, seals a portal cookie carrying the access-token id, and
 * redirects to /portal so the secret leaves the address bar. An invalid link shows the access-required page.
 * Rate limited per IP (RATE_LIMIT_PORTAL_ENTER_PER_MINUTE: enough for people, and 256-bit links cannot be guessed
 * anyway), 429 + Retry-After.
 */
export const GET = route<{ params: Promise<{ token: string }> }>("json", async (request, { params }, { requestId }) => {
  const ip = clientIp(request.headers);
  await enforceRateLimit("portal-enter", `ip:${ip}`, { ip, requestId }, "Too many attempts. Wait a minute and try your link again.");
  const entered = await enterPortal((await params).token, { ip });
  if (!entered) return accessRequiredResponse(403);
  const sealed = await sealPortalSession({ accessTokenId: entered.accessTokenId });
  return new Response(null, {
    status: 303,
    headers: { Location: "/portal", "Set-Cookie": portalCookieHeader(sealed), "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" },
  });
});
