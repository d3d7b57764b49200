import { actorOf } from "@/lib/auth/principal";
import { definePolicy } from "@/lib/auth/policy";
import { route } from "@/lib/next/route";
import { provisionPortalPreview } from "@/lib/portal/enter";
import { portalCookieHeader, sealPortalSession } from "@/lib/portal/session";

export const dynamic = "force-dynamic";

/**
 * A member of the project's (approved) partner, by session, from Gatehouse's own page: a POST, so the one CSRF rule
 * for cookie writes applies (it creates rows once and sets a cookie; a link on another site must not trigger it).
 */
const PORTAL_PREVIEW = definePolicy({ accept: ["user"], partner: "approved", errors: "json" });

/**
 * "View client portal" (a form on the project page): provisions what the preview needs (idempotently) and opens
 * the portal as the project's client, visibly marked as a preview. Under /projects, not /portal, so a proxy
 * exposing only /portal/* never exposes it.
 */
export const POST = route(
  PORTAL_PREVIEW,
  async (_request, { principal, params }) => {
    const { accessTokenId } = await provisionPortalPreview(principal.partnerId, params.id, actorOf(principal));
    const sealed = await sealPortalSession({ accessTokenId, preview: true });
    return new Response(null, { status: 303, headers: { Location: "/portal", "Set-Cookie": portalCookieHeader(sealed), "Cache-Control": "no-store" } });
  },
  { params: ["id"] },
);
