import { definePolicy } from "@/lib/auth/policy";
import { issueApiKeyForClient } from "@/lib/api-keys/api-keys";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * An OAuth client with its credentials in a JSON body (`{ client_id, client_secret }`), rate limited per IP before
 * anything is looked up (RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE); RFC 6749 §5.2 errors.
 */
const CLIENT_EXCHANGE = definePolicy({
  accept: ["oauth_client"],
  clientCredentials: "json-body",
  rateLimit: "client-exchange",
  csrf: "none",
  errors: "oauth",
  maxBodyBytes: 8 * 1024,
});

/**
 * `POST /auth/client` `{ client_id, client_secret }`: a registered OAuth client exchanges its credentials for an
 * API key for a desktop MCP client. Answers `{ api_key, key_prefix, client_id, expires_at }` (201).
 */
export const POST = route(CLIENT_EXCHANGE, async (_request, { principal }) => {
  const issued = await issueApiKeyForClient(principal.client);
  return Response.json(
    { api_key: issued.apiKey, key_prefix: issued.keyPrefix, client_id: issued.clientId, expires_at: issued.expiresAt.toISOString() },
    { status: 201, headers: { "Cache-Control": "no-store" } },
  );
});
