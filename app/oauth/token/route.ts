import { OAUTH_TOKEN_ENDPOINT } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { handleTokenRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";

/** RFC 6749 §4.4 client credentials, §4.1.3 authorization code (with PKCE) and §6 refresh. */
export const POST = route(OAUTH_TOKEN_ENDPOINT, async (_request, { principal, form, ip, requestId }) => handleTokenRequest(await form(), principal, { ip, requestId }));
