import { OAUTH_REVOCATION_ENDPOINT } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { handleRevocationRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";

/** RFC 7009 token revocation. */
export const POST = route(OAUTH_REVOCATION_ENDPOINT, async (_request, { principal, form, ip, requestId }) => handleRevocationRequest(await form(), principal, { ip, requestId }));
