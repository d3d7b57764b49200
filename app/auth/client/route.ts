import { z } from "zod";
import { issueApiKeyForClient } from "@/lib/api-keys/api-keys";
import { readJson } from "@/lib/http/body";
import { OAuthError } from "@/lib/http/errors";
import { clientIp, enforceRateLimit } from "@/lib/http/rate-limit";
import { route } from "@/lib/http/route";
import { authenticateClient } from "@/lib/oauth/clients";

export const dynamic = "force-dynamic";

const exchangeSchema = z.object({ client_id: z.string().min(1).max(100), client_secret: z.string().min(1).max(200) });

/**
 * `POST /auth/client` `{ client_id, client_secret }`: a registered OAuth client exchanges its credentials for an
 * API key for a desktop MCP client. Answers `{ api_key, key_prefix, client_id, expires_at }`; errors are RFC 6749
 * §5.2 JSON (`invalid_client` 401 for bad credentials); rate limited per IP (RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE,
 * 429 + Retry-After).
 */
export const POST = route("oauth", async (request, _context, { requestId }) => {
  const ip = clientIp(request.headers);
  await enforceRateLimit("client-exchange", `ip:${ip}`, { ip, requestId });
  const parsed = exchangeSchema.safeParse(await readJson(request).catch(() => null));
  if (!parsed.success) throw new OAuthError("invalid_request", "Send a JSON body with client_id and client_secret.");
  const client = await authenticateClient(parsed.data.client_id, parsed.data.client_secret, { basic: false });
  const issued = await issueApiKeyForClient(client);
  return Response.json(
    { api_key: issued.apiKey, key_prefix: issued.keyPrefix, client_id: issued.clientId, expires_at: issued.expiresAt.toISOString() },
    { status: 201, headers: { "Cache-Control": "no-store" } },
  );
});
