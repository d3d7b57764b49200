import { portalPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { PortalProjects } from "@/components/portal-projects";
import { page, loadPageData } from "@/lib/next/pages";
import { listPortalProjectSummaries } from "@/lib/portal/projects";

export const metadata: Metadata = { title: "Your projects", referrer: "no-referrer" };

/**
 * The portal's home. The production server answers `GET /portal` itself (app/portal/portal-html.tsx, the same
 * component and policy, without Next's page pipeline: bench/NOTES.md, issue 16); this page serves `next dev`.
 */
export default page(portalPage("/portal"), async ({ principal }) => {
  const projects = await loadPageData("/portal", () => listPortalProjectSummaries(principal.portalClientId));
  return <PortalProjects clientName={principal.clientName} preview={principal.preview} projects={projects} />;
});
