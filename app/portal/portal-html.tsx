/**
 * `GET /portal` on the production server (scripts/lib/fast-lane.ts): the portal's home rendered with React's server
 * renderer, outside Next's page pipeline, which costs about three times the floor request on its own (bench/NOTES.md,
 * issue 16) for a page that has no client code. The same component (components/portal-projects.tsx), inside the
 * same portal layout and body, under the same policy as app/portal/page.tsx (a valid portal session; otherwise the
 * access-required page, 401). Not a Next file convention, so Next does not route it; `next dev` serves the page.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { PortalProjects } from "@/components/portal-projects";
import { ROOT_BODY_CLASS, SkipLink } from "@/components/root-body";
import PortalLayout from "@/app/portal/layout";
import { definePolicy } from "@/lib/auth/policy";
import { getConfig } from "@/lib/config";
import { staticPageSecurityHeaders } from "@/lib/http/security-headers";
import { pageDocument } from "@/lib/next/page-document";
import { route } from "@/lib/next/route";
import { listPortalProjectSummaries } from "@/lib/portal/projects";

/** The portal page's policy as a route: app/portal/page.tsx's `portalPage("/portal")`, refusals as HTML pages. */
export const PORTAL_HOME = definePolicy({ accept: ["portal"], errors: "portal-page" });

/** The client's projects, as the portal's home page. */
export const GET = route(PORTAL_HOME, async (_request, { principal }) => {
  const projects = await listPortalProjectSummaries(principal.portalClientId);
  const body = renderToStaticMarkup(
    <>
      <SkipLink />
      <PortalLayout>
        <PortalProjects clientName={principal.clientName} preview={principal.preview} projects={projects} />
      </PortalLayout>
    </>,
  );
  return new Response(pageDocument("Your projects", ROOT_BODY_CLASS, body), {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "private, no-store", ...staticPageSecurityHeaders(getConfig().secureCookies) },
  });
});
