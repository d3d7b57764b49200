import { actorOf, getPrincipal, requireApprovedPartnerUser } from "@/lib/auth/principal";
import { route } from "@/lib/http/route";
import { provisionPortalPreview } from "@/lib/portal/enter";
import { portalCookieHeader, sealPortalSession } from "@/lib/portal/session";

export const dynamic = "force-dynamic";

/**
 * "View client portal": provisions what the preview needs (idempotently) and opens the portal as the project's
 * client, visibly marked as a preview. Under /projects, not /portal, so a proxy exposing only /portal/* never
 * exposes it.
 *
 * A GET that creates rows (once) and sets a cookie, so a link on another site must not trigger it (the session
 * cookie is SameSite=Lax and travels on top-level cross-site navigations): a browser navigation that
 * `Sec-Fetch-Site` marks as coming from another site is sent to the project page, where the button is.
 */
export const GET = route<{ params: Promise<{ id: string }> }>("json", async (request, { params }) => {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") {
    const { id } = await params;
    return new Response(null, { status: 303, headers: { Location: `/partner/projects/${encodeURIComponent(id)}`, "Cache-Control": "no-store" } });
  }
  const principal = await getPrincipal(request, { accept: ["user"] });
  const { partnerId } = requireApprovedPartnerUser(principal);
  const { accessTokenId } = await provisionPortalPreview(partnerId, (await params).id, actorOf(principal));
  const sealed = await sealPortalSession({ accessTokenId, preview: true });
  return new Response(null, { status: 303, headers: { Location: "/portal", "Set-Cookie": portalCookieHeader(sealed), "Cache-Control": "no-store" } });
});
