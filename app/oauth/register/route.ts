import { OAUTH_REGISTRATION_ENDPOINT } from "@/lib/auth/policies";
import { OAuthError } from "@/lib/http/errors";
import { route } from "@/lib/next/route";
import { registerDynamicClient } from "@/lib/oauth/app-clients";

export const dynamic = "force-dynamic";

/** RFC 7591 §3 dynamic client registration (JSON in, 201 with the client's metadata out). */
export const POST = route(OAUTH_REGISTRATION_ENDPOINT, async (request, { ip, requestId }) => {
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) throw new OAuthError("invalid_client_metadata", "Send the client metadata as application/json.");
  const body: unknown = await request.json().catch(() => {
    throw new OAuthError("invalid_client_metadata", "The body is not valid JSON.");
  });
  return Response.json(await registerDynamicClient(body, { ip, requestId }), { status: 201, headers: { "Cache-Control": "no-store", Pragma: "no-cache" } });
});
