/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-00, as adopted by the MCP
 * authorization spec 2025-11-25 "Client ID Metadata Documents"): a client's `client_id` is an https URL, and the
 * authorization server fetches the JSON document at that URL to learn the client's name and redirect URIs.
 *
 * Fetching a URL that anyone can type is server-side request forgery waiting to happen (draft §6.5), so this module
 * is mostly an SSRF-safe GET. It is written here on node:http/node:https rather than taken from a library because
 * no maintained library fetches with these rules, and Node's fetch cannot take a custom `lookup` without undici
 * internals. The rules: https only; the host resolved inside the socket's own `lookup`, so the address checked is
 * the address connected to (no DNS-rebinding gap); loopback, private, link-local, CGNAT, multicast, reserved and
 * non-global IPv6 refused; no redirects; a total timeout; a streamed size cap; JSON only.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { z } from "zod";

/** A validated metadata document (RFC 7591 §2 names), defaults filled. */
export interface ClientMetadataDocument {
  /** Equals the URL the document was fetched from, character for character (draft §4.1). */
  client_id: string;
  /** At most 200 characters, no control characters. */
  client_name?: string;
  /** https URL (http only with `allowPrivateAddresses`). Not fetched here: whoever fetches it needs these same defences. */
  client_uri?: string;
  /** https URL (http only with `allowPrivateAddresses`). Not fetched here (draft §6.7 prefetching would need this module's rules). */
  logo_uri?: string;
  /** 1 to 10 absolute URIs without fragment: https; http to a loopback host (RFC 8252 §7.3); or a private-use scheme (RFC 8252 §7.1). */
  redirect_uris: string[];
  /** Always "none": Gatehouse accepts only public CIMD clients (draft §4.1 lets a profile require it). */
  token_endpoint_auth_method: "none";
  /** Subset of `authorization_code`, `refresh_token`, including `authorization_code`; default `["authorization_code"]`. */
  grant_types: string[];
  /** Exactly `["code"]` (the default). */
  response_types: string[];
  scope?: string;
  software_id?: string;
  software_version?: string;
}

export interface FetchedClientMetadata {
  document: ClientMetadataDocument;
  /** Epoch ms until which the document may be reused (draft §4.4, RFC 9111), between 60 s and 24 h after `now`. */
  cacheUntil: number;
}

/**
 * Why a metadata document was refused. `reason` is one of: `invalid_client_id`, `private_address`, `fetch_failed`,
 * `timeout`, `redirect`, `bad_status`, `bad_content_type`, `too_large`, `invalid_json`, `invalid_document`,
 * `client_id_mismatch`, `unsupported_auth_method`, `invalid_redirect_uri`. The message may be shown to the person on
 * an error page: it names the condition and never repeats the response body or its headers. Never cache a refusal
 * (draft §4.4).
 */
export class ClientMetadataError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "ClientMetadataError";
  }
}

const USER_AGENT = "Gatehouse";
const DEFAULT_TIMEOUT_MS = 5000;
/** draft §6.6: "The recommended maximum response size for client metadata documents is 5 kilobytes." */
const DEFAULT_MAX_BYTES = 5120;
const MIN_CACHE_SECONDS = 60;
const MAX_CACHE_SECONDS = 24 * 60 * 60;
const DEFAULT_CACHE_SECONDS = 60 * 60;
const MAX_URL_LENGTH = 2048;

// Addresses a fetch may not reach unless allowPrivateAddresses. IANA special-purpose registries; two lists because
// BlockList also matches IPv4 addresses against IPv6 rules (through their mapped form), so one list would mix them.
const NON_PUBLIC_V4 = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", including the unspecified 0.0.0.0
  ["10.0.0.0", 8], // RFC 1918
  ["100.64.0.0", 10], // CGNAT, RFC 6598
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, including cloud metadata 169.254.169.254
  ["172.16.0.0", 12], // RFC 1918
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // RFC 1918
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, including broadcast
] as const) NON_PUBLIC_V4.addSubnet(network, prefix, "ipv4");
// IPv6: only global unicast (2000::/3) is allowed. Everything outside it goes: unspecified ::, loopback ::1,
// IPv4-mapped ::ffff:0:0/96 and NAT64 64:ff9b::/96 (whatever IPv4 address they carry), unique-local fc00::/7,
// link-local fe80::/10, multicast ff00::/8. Inside it, the special blocks that are not ordinary hosts.
const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ["::", 3],
  ["4000::", 2],
  ["8000::", 1],
  ["2001::", 23], // IETF protocol assignments (Teredo, ORCHID…)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4, which embeds an IPv4 address
  ["3fff::", 20], // documentation, RFC 9637
] as const) NON_PUBLIC_V6.addSubnet(network, prefix, "ipv6");

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const isPublicAddress = (address: string) =>
  isIP(address) === 4 ? !NON_PUBLIC_V4.check(address, "ipv4") : isIP(address) === 6 && !NON_PUBLIC_V6.check(address, "ipv6");
const isLoopbackAddress = (address: string) => /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);

// RFC 3986 §2 characters only: no spaces, controls, backslashes or non-ASCII, which WHATWG URL would quietly
// strip or reinterpret, so the string compared (client_id) could differ from the URL fetched.
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/**
 * Whether a client_id is in the metadata-document form (draft §3): an https URL with a path, no fragment, no
 * userinfo, no dot segments, at most 2048 characters of RFC 3986 characters. `http://localhost`, `http://127.0.0.1`
 * and `http://[::1]` pass only with `allowPrivateAddresses` (development and tests). Never throws.
 */
export function isClientMetadataDocumentUrl(clientId: string, options: { allowPrivateAddresses?: boolean } = {}): boolean {
  if (clientId.length > MAX_URL_LENGTH || !URI_CHARACTERS.test(clientId) || clientId.includes("#")) return false;
  const parts = /^https?:\/\/([^/?]+)(\/[^?]*)/i.exec(clientId);
  if (!parts || parts[1]!.includes("@")) return false;
  if (parts[2]!.split("/").some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) return false;
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && options.allowPrivateAddresses === true && LOOPBACK_HOSTS.has(url.hostname);
}

const FORBIDDEN_REDIRECT_SCHEMES = new Set(["javascript:", "data:", "file:", "vbscript:", "blob:", "about:", "filesystem:", "ws:", "wss:", "ftp:"]);

/**
 * Whether a redirect URI may be registered, by a metadata document, RFC 7591 registration or an admin: absolute, RFC
 * 3986 characters only, no fragment (RFC 6749 §3.1.2); https anywhere, http only to loopback (RFC 8252 §7.3, §8.3), or
 * a private-use scheme such as `cursor:` or `com.example.app:` (RFC 8252 §7.1: at least three letters, or a reverse
 * domain name); never javascript:, data:, file: or similar. Never throws.
 */
export function isAcceptableRedirectUri(uri: string): boolean {
  if (!URI_CHARACTERS.test(uri) || uri.includes("#")) return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  if (url.protocol === "http:") return LOOPBACK_HOSTS.has(url.hostname);
  if (FORBIDDEN_REDIRECT_SCHEMES.has(url.protocol)) return false;
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$|^[a-z][a-z0-9+.-]{2,}:$/i.test(url.protocol);
}

function isWebUrl(value: string, allowPrivateAddresses: boolean): boolean {
  if (!URI_CHARACTERS.test(value) || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "https:" || (protocol === "http:" && allowPrivateAddresses);
}

const text = (max: number) => z.string().min(1).max(max);
const documentSchema = z.object({
  client_id: z.string(),
  client_name: text(200)
    .refine((name) => !/\p{Cc}/u.test(name), "must not contain control characters")
    .optional(),
  client_uri: text(MAX_URL_LENGTH).optional(),
  logo_uri: text(MAX_URL_LENGTH).optional(),
  redirect_uris: z.array(text(MAX_URL_LENGTH)).min(1).max(10),
  token_endpoint_auth_method: z.literal("none").default("none"),
  grant_types: z
    .array(z.enum(["authorization_code", "refresh_token"]))
    .refine((grants) => grants.includes("authorization_code"), "must include authorization_code") // RFC 7591 §2.1: response_types code
    .default(["authorization_code"]),
  response_types: z.tuple([z.literal("code")]).default(["code"]),
  scope: text(1000).optional(),
  software_id: text(200).optional(),
  software_version: text(200).optional(),
});

/**
 * Validates a parsed JSON value as the metadata document for `url` (draft §4.1), filling RFC 7591 §2 defaults and
 * dropping properties Gatehouse does not use.
 * @throws ClientMetadataError `client_id_mismatch` (client_id is not exactly `url`), `unsupported_auth_method` (any
 *         token_endpoint_auth_method but "none", or a client_secret), `invalid_redirect_uri`, `invalid_document`
 */
export function parseClientMetadataDocument(url: string, value: unknown, options: { allowPrivateAddresses?: boolean } = {}): ClientMetadataDocument {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ClientMetadataError("invalid_document", "The client's metadata document is not a JSON object.");
  const raw = value as Record<string, unknown>;
  // draft §4.1: simple string comparison (RFC 3986 §6.2.1), no normalisation.
  if (raw.client_id !== url) throw new ClientMetadataError("client_id_mismatch", "The client's metadata document names a different client_id than its URL.");
  // draft §4.1 forbids shared secrets; Gatehouse also refuses private_key_jwt and the rest: public clients only.
  if ("client_secret" in raw || "client_secret_expires_at" in raw || (raw.token_endpoint_auth_method ?? "none") !== "none") {
    throw new ClientMetadataError("unsupported_auth_method", 'This server accepts metadata documents only for public clients (token_endpoint_auth_method "none").');
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ClientMetadataError("invalid_document", `The client's metadata document has an invalid ${String(issue.path[0] ?? "value")}: ${issue.message}.`);
  }
  const document = parsed.data;
  if (!document.redirect_uris.every(isAcceptableRedirectUri)) {
    throw new ClientMetadataError("invalid_redirect_uri", "The client's metadata document lists a redirect URI that is not https, loopback http or an app's own scheme.");
  }
  for (const field of ["client_uri", "logo_uri"] as const) {
    const value = document[field];
    if (value !== undefined && !isWebUrl(value, options.allowPrivateAddresses === true)) throw new ClientMetadataError("invalid_document", `The client's metadata document has an invalid ${field}: must be an https URL.`);
  }
  return document;
}

/**
 * Fetches the document at `url` (which is the client_id) and validates it. `timeoutMs` bounds the whole exchange,
 * DNS to last byte (default 5000 ms); `maxBytes` bounds the body (default 5120, draft §6.6); `now` is the epoch ms
 * `cacheUntil` counts from (default Date.now()). `allowPrivateAddresses` lifts the address checks and admits
 * http to loopback: development and tests only.
 * @throws ClientMetadataError `invalid_client_id`, `private_address`, `fetch_failed`, `timeout`, `redirect` (3xx,
 *         not followed), `bad_status` (not 200), `bad_content_type` (not JSON), `too_large`, `invalid_json`, or any
 *         reason of parseClientMetadataDocument
 */
export async function fetchClientMetadataDocument(
  url: string,
  options: { allowPrivateAddresses?: boolean; timeoutMs?: number; maxBytes?: number; now?: number } = {},
): Promise<FetchedClientMetadata> {
  const { allowPrivateAddresses = false, timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES, now = Date.now() } = options;
  if (!isClientMetadataDocumentUrl(url, { allowPrivateAddresses })) {
    throw new ClientMetadataError("invalid_client_id", "The client_id is not an https URL that can name a client metadata document.");
  }
  const target = new URL(url);
  const isAllowed = target.protocol === "http:" ? isLoopbackAddress : allowPrivateAddresses ? () => true : isPublicAddress;
  // An IP literal never reaches `lookup` (net connects to it directly), so it is checked here.
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) && !isAllowed(host)) throw privateAddressError();
  const { headers, body } = await get(target, host, isAllowed, timeoutMs, maxBytes);
  return { document: parseClientMetadataDocument(url, body, { allowPrivateAddresses }), cacheUntil: now + freshnessMs(headers, now) };
}

const privateAddressError = () => new ClientMetadataError("private_address", "The client_id URL points to a private or reserved network address.");

/** A `lookup` for the socket: resolves every address, refuses them all if any is not allowed, then hands them on. */
function checkedLookup(isAllowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "");
      const first = addresses[0];
      if (!first || !addresses.every((entry) => isAllowed(entry.address))) return callback(privateAddressError(), "");
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function get(target: URL, host: string, isAllowed: (address: string) => boolean, timeoutMs: number, maxBytes: number): Promise<{ headers: IncomingHttpHeaders; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = (target.protocol === "https:" ? httpsRequest : httpRequest)({
      hostname: host,
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method: "GET",
      headers: { accept: "application/json", "accept-encoding": "identity", "user-agent": USER_AGENT },
      agent: false, // no pooled socket: every connection goes through checkedLookup
      lookup: checkedLookup(isAllowed),
    });
    let settled = false;
    const timer = setTimeout(() => fail(new ClientMetadataError("timeout", "The client's metadata document took too long to fetch.")), timeoutMs);
    function fail(error: unknown) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      // Socket and TLS errors carry internal addresses and hostnames: the person sees one generic message.
      reject(error instanceof ClientMetadataError ? error : new ClientMetadataError("fetch_failed", "The client's metadata document could not be fetched."));
    }
    const tooLarge = () => new ClientMetadataError("too_large", `The client's metadata document is larger than ${maxBytes} bytes.`);
    request.on("error", fail);
    request.on("response", (response) => {
      const status = response.statusCode ?? 0;
      const mediaType = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (status >= 300 && status < 400) return fail(new ClientMetadataError("redirect", "The client's metadata document URL redirects; redirects are not followed."));
      if (status !== 200) return fail(new ClientMetadataError("bad_status", `The client's metadata document URL answered HTTP ${status}, not 200.`));
      if (!/^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/.test(mediaType)) return fail(new ClientMetadataError("bad_content_type", "The client's metadata document is not served as JSON."));
      if (Number(response.headers["content-length"] ?? 0) > maxBytes) return fail(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(tooLarge());
        else chunks.push(chunk);
      });
      response.on("error", fail);
      response.on("end", () => {
        if (settled) return;
        let body: unknown;
        try {
          body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)));
        } catch {
          return fail(new ClientMetadataError("invalid_json", "The client's metadata document is not valid JSON."));
        }
        settled = true;
        clearTimeout(timer);
        resolve({ headers: response.headers, body });
      });
    });
    request.end();
  });
}

/**
 * How long the document stays fresh, RFC 9111 §4.2.1: `no-store`/`no-cache` → the minimum (Gatehouse does not
 * refetch per request); `max-age`; else `Expires` − `Date` (an invalid Expires means already stale); else 1 hour.
 * Less `Age` (§4.2.3), clamped to [60 s, 24 h] (draft §4.4 lets the server bound it).
 */
function freshnessMs(headers: IncomingHttpHeaders, now: number): number {
  const directives = (headers["cache-control"] ?? "").toLowerCase().split(",").map((directive) => directive.trim());
  let seconds = DEFAULT_CACHE_SECONDS;
  const maxAge = directives.map((directive) => /^max-age\s*=\s*"?(\d+)"?$/.exec(directive)?.[1]).find((value) => value !== undefined);
  if (directives.some((directive) => directive.startsWith("no-store") || directive.startsWith("no-cache"))) seconds = 0;
  else if (maxAge !== undefined) seconds = Number(maxAge);
  else if (headers.expires !== undefined) {
    const expires = Date.parse(headers.expires);
    const date = Date.parse(headers.date ?? "");
    seconds = Number.isNaN(expires) ? 0 : (expires - (Number.isNaN(date) ? now : date)) / 1000;
  }
  seconds -= Number(headers.age) || 0;
  return Math.round(Math.min(MAX_CACHE_SECONDS, Math.max(MIN_CACHE_SECONDS, seconds)) * 1000);
}
