import { definePolicy } from "@/lib/auth/policy";
import { route } from "@/lib/next/route";
import { clearPortalCookieHeader } from "@/lib/portal/session";

export const dynamic = "force-dynamic";

/**
 * Anyone may clear their own portal cookie, but only from Gatehouse's own pages: a cross-site form must not be able
 * to sign a client out (the same CSRF rule as every cookie-authenticated write).
 */
const PORTAL_LOGOUT = definePolicy({ accept: "public", csrf: "always", errors: "portal-page" });

/** Ends the portal session in this browser (the link itself stays valid). */
export const POST = route(
  PORTAL_LOGOUT,
  () => new Response(null, { status: 303, headers: { Location: "/portal/signed-out", "Set-Cookie": clearPortalCookieHeader(), "Cache-Control": "no-store" } }),
);
