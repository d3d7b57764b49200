import { clearPortalCookieHeader } from "@/lib/portal/session";

export const dynamic = "force-dynamic";

/** Ends the portal session in this browser (the link itself stays valid). */
export function POST(): Response {
  return new Response(null, { status: 303, headers: { Location: "/portal/signed-out", "Set-Cookie": clearPortalCookieHeader(), "Cache-Control": "no-store" } });
}
