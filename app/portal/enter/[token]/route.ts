import { recordAuditInBackground } from "@/lib/audit/record-audit";
import { RateLimitedError } from "@/lib/http/errors";
import { clientIp, hitRateLimit } from "@/lib/http/rate-limit";
import { toResponse } from "@/lib/http/respond";
import { route } from "@/lib/http/route";
import { enterPortal } from "@/lib/portal/enter";
import { portalCookieHeader, sealPortalSession } from "@/lib/portal/session";
import { accessRequiredResponse } from "@/lib/portal/access-required";

export const dynamic = "force-dynamic";

/** Attempts per IP per minute at /portal/enter/*: enough for people, too few to guess 256-bit secrets anyway. */
const ENTER_LIMIT_PER_MINUTE = 20;

/**
 * `GET /portal/enter/{token}`: validates the magic link, seals a portal cookie carrying the access-token id, and
 * redirects to /portal so the secret leaves the address bar. An invalid link shows the access-required page.
 */
export const GET = route<{ params: Promise<{ token: string }> }>("json", async (request, { params }, { requestId }) => {
  const ip = clientIp(request.headers);
  const limit = await hitRateLimit(`portal-enter:ip:${ip}`, ENTER_LIMIT_PER_MINUTE, 60);
  if (!limit.allowed) {
    if (limit.count === ENTER_LIMIT_PER_MINUTE + 1) {
      recordAuditInBackground({ action: "portal.enter_rate_limited", actor: { type: "anonymous" }, ip, requestId, metadata: { limitPerMinute: ENTER_LIMIT_PER_MINUTE } });
    }
    return toResponse(new RateLimitedError(limit.retryAfterSeconds, "Too many attempts. Wait a minute and try your link again."), { requestId });
  }
  const entered = await enterPortal((await params).token, { ip });
  if (!entered) return accessRequiredResponse(403);
  const sealed = await sealPortalSession({ accessTokenId: entered.accessTokenId });
  return new Response(null, {
    status: 303,
    headers: { Location: "/portal", "Set-Cookie": portalCookieHeader(sealed), "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" },
  });
});
