/**
 * Reading OAuth endpoint requests strictly (RFC 6749 §3.2, §2.3.1): form encoding only, each parameter at most
 * once, bounded sizes, and exactly one client-authentication method.
 */
import { OAuthError } from "@/lib/http/errors";

/** Largest request body accepted at the OAuth endpoints, bytes. */
export const MAX_FORM_BYTES = 8 * 1024;
/** Longest single parameter value, characters. */
export const MAX_PARAM_LENGTH = 4096;

/**
 * Parses an `application/x-www-form-urlencoded` body.
 * @throws OAuthError `invalid_request` for another content type, an oversized body or value, or a repeated parameter
 */
export async function readFormParams(request: Request): Promise<Map<string, string>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new OAuthError("invalid_request", "The request body must be application/x-www-form-urlencoded.");
  }
  if (Number(request.headers.get("content-length") ?? 0) > MAX_FORM_BYTES) throw new OAuthError("invalid_request", "The request body is too large.");
  const body = await request.text();
  if (Buffer.byteLength(body) > MAX_FORM_BYTES) throw new OAuthError("invalid_request", "The request body is too large.");
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    // RFC 6749 §3.2: request parameters MUST NOT be included more than once.
    if (params.has(name)) throw new OAuthError("invalid_request", `The ${name.slice(0, 40)} parameter is repeated.`);
    if (value.length > MAX_PARAM_LENGTH || name.length > 100) throw new OAuthError("invalid_request", `The ${name.slice(0, 40)} parameter is too long.`);
    params.set(name, value);
  }
  return params;
}

export interface ClientCredentials {
  clientId: string;
  /** Absent only for a public client (`token_endpoint_auth_method: none`) when `allowPublic` was given. */
  clientSecret?: string;
  /** Whether they came in `Authorization: Basic` (client_secret_basic) rather than the body (client_secret_post). */
  basic: boolean;
}

const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="gatehouse"' };

/**
 * Extracts client credentials: `client_secret_basic` (RFC 6749 §2.3.1, with the form-urlencoding of id and secret)
 * or `client_secret_post`. Using both is an error. With `allowPublic`, a body with `client_id` and no secret is a
 * public client identifying itself (RFC 6749 §3.2.1, `token_endpoint_auth_method: none`).
 * @throws OAuthError `invalid_request` (two methods, mismatched client_id, malformed header) or `invalid_client`
 *         (none at all; 401 with a Basic challenge)
 */
export function readClientCredentials(headers: Headers, params: Map<string, string>, options: { allowPublic?: boolean } = {}): ClientCredentials {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
    if (!match || authorization.length > 2048) throw new OAuthError("invalid_client", "Malformed Basic credentials.", { headers: BASIC_CHALLENGE });
    if (params.has("client_secret")) throw new OAuthError("invalid_request", "Use one client authentication method, not two.");
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new OAuthError("invalid_client", "Malformed Basic credentials.", { headers: BASIC_CHALLENGE });
    let clientId: string;
    let clientSecret: string;
    try {
      clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
    } catch {
      throw new OAuthError("invalid_client", "Malformed Basic credentials.", { headers: BASIC_CHALLENGE });
    }
    const bodyClientId = params.get("client_id");
    if (bodyClientId !== undefined && bodyClientId !== clientId) throw new OAuthError("invalid_request", "client_id does not match the Basic credentials.");
    return { clientId, clientSecret, basic: true };
  }
  const clientId = params.get("client_id");
  const clientSecret = params.get("client_secret");
  if (options.allowPublic && clientId && clientSecret === undefined) return { clientId, basic: false };
  if (!clientId || !clientSecret) throw new OAuthError("invalid_client", "Client authentication is required.", { headers: BASIC_CHALLENGE });
  return { clientId, clientSecret, basic: false };
}
