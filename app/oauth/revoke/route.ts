import { OAUTH_CLIENT_ENDPOINT } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { handleRevocationRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";

/** RFC 7009 token revocation. */
export const POST = route(OAUTH_CLIENT_ENDPOINT, (request, { principal }) => handleRevocationRequest(request, principal.client));
