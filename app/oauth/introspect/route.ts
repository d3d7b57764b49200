import { OAUTH_CLIENT_ENDPOINT } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { handleIntrospectionRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";

/** RFC 7662 token introspection, for clients of the token's tenant. */
export const POST = route(OAUTH_CLIENT_ENDPOINT, async (_request, { principal, form }) => handleIntrospectionRequest(await form(), principal.client));
