import { definePolicy } from "@/lib/auth/policy";
import { htmlPage, ACCESS_REQUIRED_BODY, ACCESS_REQUIRED_TITLE } from "@/lib/http/html-pages";
import { route } from "@/lib/next/route";
import { enterPortal } from "@/lib/portal/enter";
import { portalCookieHeader, sealPortalSession } from "@/lib/portal/session";

export const dynamic = "force-dynamic";

/**
 * Anyone holding a link: the link in the path IS the credential, checked by `enterPortal` (checksum, digest lookup,
 * not revoked or expired, client active). Rate limited per IP before anything is looked up
 * (RATE_LIMIT_PORTAL_ENTER_PER_MINUTE: enough for people; 256-bit links cannot be guessed anyway); a browser over
 * the limit gets an HTML page, not JSON.
 */
const PORTAL_ENTER = definePolicy({ accept: "public", rateLimit: "portal-enter", errors: "portal-page" });

/**
 * `GET /portal/enter/{token}`: validates the magic link, seals a portal cookie carrying the access-token id, and
 * redirects to /portal so the secret leaves the address bar. An invalid link shows the access-required page (403).
 */
export const GET = route(
  PORTAL_ENTER,
  async (_request, { params, ip }) => {
    const entered = await enterPortal(params.token, { ip });
    if (!entered) return htmlPage(403, ACCESS_REQUIRED_TITLE, [ACCESS_REQUIRED_BODY]);
    const sealed = await sealPortalSession({ accessTokenId: entered.accessTokenId });
    return new Response(null, {
      status: 303,
      headers: { Location: "/portal", "Set-Cookie": portalCookieHeader(sealed), "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" },
    });
  },
  { params: ["token"] },
);
