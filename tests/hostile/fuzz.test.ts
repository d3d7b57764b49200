/**
 * Fuzz (issue 7): property-based, over real HTTP against a production `next start`. At least 5,000 malformed requests
 * spread over every route handler of the manifest and every method it exports (plus methods it does not): bad JSON,
 * wrong content types, 1–5 MB bodies, oversized headers, unicode and raw bytes, duplicated parameters, random and
 * forged credentials (mg_/gcs_/gpl_ secrets with good and bad checksums, JWT-shaped garbage, alg "none" and
 * wrong-key JWTs naming the real tenant), real cookie names with garbage or well-sealed-but-unknown values, and odd
 * path parameters. Properties, for every response:
 *   1. no 5xx (except GET /unavailable, the outage page, which is 503 by design);
 *   2. no stack trace or server path in the body or headers, and none of the secrets this test seeded;
 *   3. no successful authentication: no 2xx from a method that needs a principal or client credentials, and no
 *      Set-Cookie that establishes a session or portal cookie, whatever the route.
 * The seed is fixed (HOSTILE_FUZZ_SEED overrides it); fast-check prints seed and path of any counterexample.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_SCOPES } from "@/lib/oauth/scopes";
import { generateSecret } from "@/lib/secrets/secret-format";
import { portalCookieName, sealPortalSession } from "@/lib/portal/session";
import { SESSION_COOKIE_NAMES } from "@/lib/auth/session-cookie";
import { accessOfPolicy, discoverRoutes, fillPattern, HTTP_METHODS, loadRoutePolicies, routeKey, type DeclaredPolicy, type HttpMethod, type RouteHandler } from "./support/routes.ts";
import { clearRateLimits, SAME_ORIGIN, send, seedTenant, startUnlimitedInstance, type Tenant } from "./support/fixtures.ts";
import { callServerAction } from "./support/seed.ts";
import { HOSTILE_APP_URL, HOSTILE_SECRETS, type ProductionInstance } from "./support/production.ts";

const SEED = Number(process.env.HOSTILE_FUZZ_SEED ?? 20261121);
const BATCH = 25;
const NUM_RUNS = 200; // 200 batches of 25 = 5,000 requests
const PARALLEL = 16;

let app: ProductionInstance;
let tenant: Tenant;
let pool: Pool;
let secrets: string[];

const routes = discoverRoutes();
/** Each route method's declared access policy, read from the route modules themselves. */
let policies: Map<string, DeclaredPolicy>;

// ---- what the fuzz sends ------------------------------------------------------------------------------------------

interface FuzzRequest {
  pattern: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: { text: string } | { bytes: number[] } | { hugeBytes: number; json: boolean };
}

/** Path text that has broken parsers before; some raw, some percent-encoded. */
const ODD_SEGMENTS = [
  "0", "-1", "1e309", "..", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", "%", "%ZZ", "%C0%AF", "%F0%9F%98%80", "%E2%80%AE",
  "null", "undefined", "[object%20Object]", "__proto__", "constructor", "'%20OR%201=1--", "%27%3B%20DROP%20TABLE%20groups%3B--",
  "%3Cscript%3E", "%24%7Bjndi%3Aldap%3A%2F%2Fx%7D", "a".repeat(3000), "%20", "~", "*", "cm" + "0".repeat(23),
];

const oddSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.stringMatching(/^c[a-z0-9]{24}$/) },
  { weight: 1, arbitrary: fc.constant(null).map(() => generateSecret("gpl").secret) },
  { weight: 1, arbitrary: fc.stringMatching(/^gpl_[0-9A-Za-z]{49}$/) },
);

/** Auth.js's catch-all: its real actions, with odd providers and trailing segments. */
const nextAuthPath = fc.oneof(
  fc.constantFrom("session", "csrf", "providers", "signin", "signout", "error", "verify-request", "webauthn-options"),
  fc.tuple(fc.constantFrom("signin", "callback"), fc.oneof(fc.constantFrom("google", "microsoft-entra-id", "credentials", "email"), oddSegment)).map(([a, b]) => `${a}/${b}`),
  fc.array(oddSegment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")),
);

const QUERY_KEYS = ["page", "page_size", "pageSize", "partner_id", "status", "q", "type", "risk", "callbackUrl", "next", "error", "code", "state", "token", "scope", "resource", "iss", "__proto__"];
const queryValue = fc.oneof(fc.constantFrom("1", "0", "-1", "1e9", "NaN", "abc", "", "http://evil.example", "//evil.example", "%00", "[]"), fc.string({ maxLength: 30 }).map(encodeURIComponent));
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  { weight: 3, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 }).map(encodeURIComponent)), queryValue), { minLength: 1, maxLength: 6 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`) },
  // The same parameter several times.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.array(queryValue, { minLength: 2, maxLength: 4 })).map(([key, values]) => `?${values.map((v) => `${key}=${v}`).join("&")}`) },
);

function b64url(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/** Forged material prepared before the run (it needs async crypto and the seeded tenant). */
interface Pool {
  /** `mg_`/`gcs_`/`gpl_` secrets with valid checksums that match nothing. */
  wellFormedSecrets: string[];
  /** JWTs naming the real tenant: alg none, HS256 confusions, a foreign Ed25519 key with the real kid, a tampered real token. */
  forgedTokens: string[];
  /** Portal cookies sealed with the real password for access tokens that do not exist. */
  forgedPortalCookies: string[];
  /** The seeded tenant's client_id (paired with wrong secrets). */
  clientId: string;
}

/** The request generator: every route equally often, whatever its parameter count. */
function fuzzRequests(pool: Pool): fc.Arbitrary<FuzzRequest> {
  /** Tokens shaped like every credential Gatehouse accepts, none of them valid. */
  const token = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.stringMatching(/^mg_[0-9A-Za-z]{49}$/), // right shape, checksum almost surely wrong
    fc.constantFrom(...pool.wellFormedSecrets), // right checksums, unknown secrets
    fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.base64String({ maxLength: 40 })).map(([h, p, s]) => `${b64url(h)}.${b64url(p)}.${s.replace(/=+$/, "")}`),
    fc.constantFrom(...pool.forgedTokens),
    fc.constant("x".repeat(5000)),
  );

  const authorization = fc.oneof(
    token.map((t) => `Bearer ${t}`),
    fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`),
    fc.constantFrom(...pool.wellFormedSecrets).map((secret) => `Basic ${Buffer.from(`${pool.clientId}:${secret}`).toString("base64")}`), // real client, wrong secret
    fc.constantFrom("Bearer", "Bearer ", "bearer  x y", "Basic", "Basic !!!", "Basic Og==", "Digest username=x", "Negotiate abc", "Bearer mg_", "Bearer\tx"),
    fc.string({ maxLength: 80 }),
  );

  const cookieValue = fc.oneof(fc.string({ maxLength: 60 }).map(encodeURIComponent), fc.stringMatching(/^[0-9a-f]{64}$/), fc.constant("Fe26.2**x*y*z**a*b"), fc.constant("x".repeat(6000)));
  const cookieName = fc.oneof(
    fc.constantFrom(...SESSION_COOKIE_NAMES, "__Host-gatehouse_portal", "gatehouse_portal", "__Secure-authjs.csrf-token", "__Host-authjs.csrf-token", "__Secure-authjs.callback-url", "__Secure-authjs.pkce.code_verifier", "__Secure-authjs.state", "__Secure-authjs.nonce"),
    fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
  );
  const cookie = fc.oneof(
    fc.array(fc.tuple(cookieName, cookieValue), { minLength: 1, maxLength: 4 }).map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join("; ")),
    // Sealed with the real password, for an access token that does not exist; and a session token nobody has.
    fc.constantFrom(...pool.forgedPortalCookies).map((sealed) => `${portalCookieName()}=${sealed}`),
    fc.tuple(fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^[0-9a-f]{64}$/)).map(([x, y]) => `${SESSION_COOKIE_NAMES[0]}=${x}; ${SESSION_COOKIE_NAMES[0]}=${y}`),
    fc.string({ maxLength: 100 }),
  );

  const CONTENT_TYPES = [
    "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/json; charset=utf-16", "application/jsonx",
    "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=zzz", "text/plain", "application/xml",
    "text/x-component", "*/*", "", ";;;", "application/json, text/html",
  ];

  /** Latin-1 view of UTF-8 bytes: how raw non-ASCII header bytes go out on the wire. */
  const asWireBytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");

  const headers = fc
    .record(
      {
        authorization: fc.oneof(authorization, fc.array(authorization, { minLength: 2, maxLength: 2 })),
        "x-api-key": token,
        cookie: fc.oneof(cookie, fc.array(cookie, { minLength: 2, maxLength: 2 })),
        "content-type": fc.constantFrom(...CONTENT_TYPES),
        origin: fc.constantFrom(HOSTILE_APP_URL, "https://evil.example", "null", "http://localhost", ""),
        "sec-fetch-site": fc.constantFrom("same-origin", "cross-site", "none", "garbage"),
        accept: fc.constantFrom("application/json, text/event-stream", "text/event-stream", "text/html", "*/*", "text/x-component", "application/xml"),
        "x-request-id": fc.string({ maxLength: 200 }).map(asWireBytes),
        "x-forwarded-for": fc.constantFrom("1.2.3.4", "::1", "not-an-ip", "1.1.1.1, 2.2.2.2", ""),
        "x-forwarded-host": fc.constantFrom("evil.example", "gatehouse.hostile.test", ""),
        "next-action": fc.stringMatching(/^[0-9a-f]{42}$/),
        "x-unicode": fc.string({ unit: "grapheme", maxLength: 40 }).map(asWireBytes),
        // Now and then, near and beyond Node's 16 KiB header limit (beyond: 431).
        "x-padding": fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.integer({ min: 4_000, max: 20_000 }).map((n) => "p".repeat(n)) }),
      },
      { requiredKeys: [] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== "")) as Record<string, string | string[]>);

  /** Bodies: broken JSON, JSON of the wrong shape, forms with duplicated fields, raw bytes, and 1–5 MB blobs. */
  const FIELD_NAMES = ["name", "description", "user_id", "scopes", "expires_in_days", "partner_id", "value", "reason", "approve", "domain", "client_id", "client_secret", "grant_type", "token", "jsonrpc", "method", "params", "id", "provider", "directory", "role_arn", "sync_interval_minutes", "__proto__"];
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom("{", '{"a":', "[]", "null", "1", '"x"', "{}}", '{"name":"a",}', "\u0000", "\uFEFF{}", '{"name":"\\ud800"}', "[".repeat(100_000), '{"__proto__":{"admin":true}}').map((text) => ({ text })) },
    { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: "grapheme", maxLength: 300 })), { maxKeys: 5 }).map((o) => ({ text: JSON.stringify(o) })) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.oneof(queryValue, fc.constantFrom("client_credentials", "password", "authorization_code", ALL_SCOPES.join(" "), `${HOSTILE_APP_URL}/api`))), { maxLength: 6 }).map((pairs) => ({ text: pairs.map(([k, v]) => `${k}=${v}`).join("&") })) },
    { weight: 1, arbitrary: fc.record({ jsonrpc: fc.constantFrom("2.0", "1.0"), id: fc.jsonValue(), method: fc.constantFrom("initialize", "tools/list", "tools/call", "ping", "resources/list", "x"), params: fc.jsonValue({ maxDepth: 3 }) }).map((o) => ({ text: JSON.stringify(o) })) },
    // Client credentials that reach the database: NUL bytes, overlong UTF-8, emoji, overlong ids.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("%00", "a%00b", "%C0%AF", "%F0%9F%98%80", "x".repeat(150)), fc.constantFrom("%00", "gcs_%00", "x")).map(([id, secret]) => ({ text: `grant_type=client_credentials&client_id=${id}&client_secret=${secret}` })) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 500 }).map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 500 }).map((bytes) => ({ bytes: [...bytes] })) },
    { weight: 1, arbitrary: fc.record({ hugeBytes: fc.integer({ min: 1_000_000, max: 5_000_000 }), json: fc.boolean() }) },
  );

  function requestFor(route: RouteHandler): fc.Arbitrary<FuzzRequest> {
    const params = Object.fromEntries(route.params.map((name) => [name, name === "nextauth" ? nextAuthPath : oddSegment]));
    return fc
      .record({
        method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: fc.constantFrom(...HTTP_METHODS, "TRACE", "PROPFIND") }),
        params: fc.record(params),
        query,
        headers,
        body: fc.option(body, { freq: 3 }),
      })
      .map(({ method, params: values, query: q, headers: h, body: b }) => ({
        pattern: route.pattern,
        method,
        path: fillPattern(route.pattern, values as Record<string, string>, { raw: true }) + q,
        headers: h,
        ...(b && method !== "GET" && method !== "HEAD" ? { body: b } : {}),
      }));
  }

  return fc.oneof(...routes.map(requestFor));
}

// ---- sending and judging -------------------------------------------------------------------------------------------

interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });

function materialize(spec: NonNullable<FuzzRequest["body"]>): Buffer {
  if ("text" in spec) return Buffer.from(spec.text, "utf8");
  if ("bytes" in spec) return Buffer.from(spec.bytes);
  return spec.json ? Buffer.from(`{"name":"${"a".repeat(spec.hugeBytes - 11)}"}`) : randomBytes(spec.hugeBytes);
}

function sendRaw(request: FuzzRequest): Promise<FuzzResponse> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers, agent, timeout: 30_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within 30 s: ${request.method} ${request.path.slice(0, 200)}`)));
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      // The server may answer (413/431) and close before reading a huge upload: that is a refusal, not a crash.
      if (error.code === "EPIPE" || error.code === "ECONNRESET") resolve({ status: 0, headers: {}, text: "" });
      else reject(error);
    });
    outgoing.end(request.body ? materialize(request.body) : undefined);
  });
}

const STACK_TRACE = [/\n\s+at \S/, / {4}at [\w.<>]+ \(/, /\/work\//, /node_modules/, /\.next-test/, /\b\w*Error: [^\n]*\n\s+at /, /webpack-internal:/, /turbopack:/];

/** Whether a Set-Cookie establishes a session or portal cookie (clearing one is fine). */
function establishesSession(setCookie: string[]): boolean {
  return setCookie.some((line) => {
    const [pair = "", ...attributes] = line.split(";");
    const name = pair.slice(0, pair.indexOf("=")).trim();
    const value = pair.slice(pair.indexOf("=") + 1).trim();
    const cleared = value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]!) < Date.now()));
    return (SESSION_COOKIE_NAMES as readonly string[]).concat(portalCookieName()).includes(name) && !cleared;
  });
}

const stats = { sent: 0, byClass: {} as Record<string, number>, byRoute: {} as Record<string, number>, byStatus: {} as Record<string, number>, huge: 0, knownNext500s: {} as Record<string, number> };

/** Whether a path segment is not valid percent-encoded UTF-8 (e.g. `%C0%AF`, `%ZZ`, a lone `%`). */
function hasMalformedPercentEncoding(path: string): boolean {
  return path
    .split("?")[0]!
    .split("/")
    .some((segment) => {
      try {
        decodeURIComponent(segment);
        return false;
      } catch {
        return true;
      }
    });
}

/**
 * The 500 answers that Next.js 16.4 itself produces before middleware or any Gatehouse code
 * runs. Each is pinned by an `it.fails` test below; the fuzz counts them instead of failing, and fails on any other
 * 5xx. (A server action from a foreign Origin, a third such 500, is answered 403 by middleware.ts; csrf.test.ts.)
 */
const KNOWN_NEXT_500S: { name: string; matches: (request: FuzzRequest, response: FuzzResponse) => boolean }[] = [
  {
    // vercel/next.js#92527 (fix proposed in #92557): route matching decodes the segment and the DecodeError escapes.
    name: "malformed percent-encoding in a dynamic segment",
    matches: (request, response) => request.pattern.includes("[") && hasMalformedPercentEncoding(request.path) && isBare(request, response),
  },
  {
    // The Edge middleware adapter builds a WHATWG Request, which refuses TRACE ("'TRACE' HTTP method is unsupported").
    name: "TRACE on any path",
    matches: (request, response) => request.method === "TRACE" && isBare(request, response),
  },
];

/** Next's own plain-text 500, produced before middleware ran (no X-Request-Id). */
function isBare(request: FuzzRequest, response: FuzzResponse): boolean {
  return response.text === (request.method === "HEAD" ? "" : "Internal Server Error") && !response.headers["x-request-id"];
}

function knownNext500(request: FuzzRequest, response: FuzzResponse): string | undefined {
  return response.status === 500 ? KNOWN_NEXT_500S.find((known) => known.matches(request, response))?.name : undefined;
}

/** The three properties; returns the first violation, or null. */
function violation(request: FuzzRequest, response: FuzzResponse): string | null {
  if (response.status === 0) return null; // refused mid-upload (see sendRaw)
  const isOutagePage = request.pattern === "/unavailable" && (request.method === "GET" || request.method === "HEAD") && response.status === 503;
  const known = knownNext500(request, response);
  if (known) {
    stats.knownNext500s[known] = (stats.knownNext500s[known] ?? 0) + 1;
    return null;
  }
  if (response.status >= 500 && !isOutagePage) return `answered ${response.status}: ${response.text.slice(0, 300)}`;
  const everything = `${response.text}\n${JSON.stringify(response.headers)}`;
  const trace = STACK_TRACE.find((pattern) => pattern.test(everything));
  if (trace) return `stack trace or server path (${trace}): ${everything.slice(0, 500)}`;
  const leaked = secrets.find((secret) => everything.includes(secret));
  if (leaked) return `leaked a seeded secret (${leaked.slice(0, 8)}…)`;
  if (establishesSession(response.headers["set-cookie"] ?? [])) return `set a session cookie: ${response.headers["set-cookie"]}`;
  const route = routes.find((r) => r.pattern === request.pattern)!;
  const exported = (route.methods as string[]).includes(request.method === "HEAD" ? "GET" : request.method);
  const declared = policies.get(routeKey((request.method === "HEAD" ? "GET" : request.method) as HttpMethod, request.pattern));
  const access = declared ? accessOfPolicy(declared) : "principal";
  if (exported && access !== "public" && response.status >= 200 && response.status < 300) return `authenticated (${response.status}) with forged credentials: ${response.text.slice(0, 300)}`;
  return null;
}

async function sendAndJudge(request: FuzzRequest): Promise<string | null> {
  const response = await sendRaw(request);
  stats.sent++;
  if ("hugeBytes" in (request.body ?? {})) stats.huge++;
  const statusClass = response.status === 0 ? "closed" : `${Math.floor(response.status / 100)}xx`;
  stats.byClass[statusClass] = (stats.byClass[statusClass] ?? 0) + 1;
  stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
  stats.byRoute[request.pattern] = (stats.byRoute[request.pattern] ?? 0) + 1;
  return violation(request, response);
}

/** Runs `run` over `items` with at most `size` in flight; results in input order. */
async function inParallel<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  }));
  return results;
}

beforeAll(async () => {
  policies = await loadRoutePolicies(routes);
  app = await startUnlimitedInstance("fuzz");
  tenant = await seedTenant("Fuzz", app.url);
  const jwks = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; x: string }[] };
  const realKid = jwks.keys[0]!.kid;
  const claims = { iss: HOSTILE_APP_URL, aud: [`${HOSTILE_APP_URL}/api`, `${HOSTILE_APP_URL}/api/mcp`], sub: tenant.oauthClient.clientId, client_id: tenant.oauthClient.clientId, org_id: tenant.partnerId, scope: ALL_SCOPES.join(" "), jti: "forged" };
  const now = Math.floor(Date.now() / 1000);
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const sign = (alg: string, key: Parameters<SignJWT["sign"]>[0]) => new SignJWT({ ...claims }).setProtectedHeader({ alg, typ: "at+jwt", kid: realKid }).setIssuedAt().setExpirationTime("10m").sign(key);
  const [header, , signature] = tenant.apiToken.split(".");
  pool = {
    wellFormedSecrets: (["mg", "gcs", "gpl"] as const).flatMap((prefix) => Array.from({ length: 5 }, () => generateSecret(prefix).secret)),
    forgedTokens: [
      `${b64url({ alg: "none", typ: "at+jwt", kid: realKid })}.${b64url({ ...claims, iat: now, exp: now + 600 })}.`,
      await sign("HS256", Buffer.from(jwks.keys[0]!.x)), // algorithm confusion: the public key as an HMAC key
      await sign("HS256", Buffer.from(HOSTILE_SECRETS.AUTH_SECRET)),
      await sign("EdDSA", privateKey), // the real kid, someone else's key
      `${header}.${b64url({ ...claims, org_id: "another-tenant", iat: now, exp: now + 600 })}.${signature}`, // a real token, payload swapped
    ],
    forgedPortalCookies: await Promise.all([sealPortalSession({ accessTokenId: "does-not-exist" }), sealPortalSession({ accessTokenId: `${tenant.portalLink.id.slice(0, -1)}${tenant.portalLink.id.endsWith("x") ? "y" : "x"}`, preview: true })]),
    clientId: tenant.oauthClient.clientId,
  };
  secrets = [
    ...tenant.secrets,
    HOSTILE_SECRETS.AUTH_SECRET,
    HOSTILE_SECRETS.PORTAL_SESSION_PASSWORD,
    HOSTILE_SECRETS.INTEGRATION_MASTER_KEYS,
    "hostile-google-secret",
    process.env.DATABASE_URL!,
    // The credentials part of the database URL (the embedded server's password alone is the word "gatehouse").
    `${new URL(process.env.DATABASE_URL!).username}:${new URL(process.env.DATABASE_URL!).password}@`,
  ];
  await clearRateLimits();
});
afterAll(async () => {
  agent.destroy();
  await app?.stop();
});

describe("fuzz", () => {
  it("answers 5,000 malformed requests across every route handler without a 5xx, a leak or an authentication", async () => {
    const started = Date.now();
    console.log(`[hostile] fuzz: seed ${SEED} (HOSTILE_FUZZ_SEED), ${NUM_RUNS} batches of ${BATCH} over ${routes.length} route handlers`);
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzRequests(pool), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const verdicts = await inParallel(batch, PARALLEL, sendAndJudge);
        const index = verdicts.findIndex((v) => v !== null);
        if (index >= 0) throw new Error(`${batch[index]!.method} ${batch[index]!.path.slice(0, 200)}: ${verdicts[index]}`);
        // The old fixed limits of /auth/client and /portal/enter ignore the env knobs: keep them out of the way.
        if (stats.sent % 500 < BATCH) await clearRateLimits();
      }),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: false, interruptAfterTimeLimit: 150_000, markInterruptAsFailure: true },
    );
    const seconds = (Date.now() - started) / 1000;
    const perRoute = Object.entries(stats.byRoute).sort(([a], [b]) => a.localeCompare(b)).map(([route, n]) => `  ${String(n).padStart(5)}  ${route}`).join("\n");
    console.log(
      `[hostile] fuzz: ${stats.sent} requests in ${seconds.toFixed(1)} s (${stats.huge} with 1–5 MB bodies); by class ${JSON.stringify(stats.byClass)}; by status ${JSON.stringify(stats.byStatus)}\n` +
        `[hostile] fuzz: Next.js's own known bare 500s (pinned below, not Gatehouse code): ${JSON.stringify(stats.knownNext500s)}\n` +
        `[hostile] fuzz: requests per route handler:\n${perRoute}`,
    );
    expect(stats.sent).toBeGreaterThanOrEqual(5_000);
    expect(Object.keys(stats.byRoute).sort()).toEqual(routes.map((r) => r.pattern).sort());
  });

  // Well-formed requests by the tenant's own owner that this deployment cannot serve: the hostile configuration has
  // no Okta app, and the seeded org is under `.test`. The answer is the reason, as a 4xx, never a 500.
  it("answers an owner starting consent (the API) for a directory the deployment cannot connect with a 4xx and the reason", async () => {
    const response = await send(app.url, "POST", `/api/integrations/${tenant.integration.id}/oauth`, { headers: { cookie: tenant.sessionCookie, ...SAME_ORIGIN } });
    expect(response.status, response.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(response.status, response.text.slice(0, 300)).toBeLessThan(500);
    expect(JSON.parse(response.text).message).toMatch(/Okta/);
  });

  it("answers the setup page's \"Connect with Okta\" for a directory the deployment cannot connect without a 500", async () => {
    const action = await callServerAction(app.url, {
      page: `/partner/integrations/${tenant.integration.id}/setup`,
      file: "app/(main)/partner/integrations/actions.ts",
      action: "startConsentAction",
      fields: { integrationId: tenant.integration.id },
      cookie: tenant.sessionCookie,
    });
    expect(action.status, action.body.slice(0, 300)).toBeLessThan(500);
    expect(action.body).not.toMatch(STACK_TRACE[0]!);
  });

  // KNOWN BUGS (Next.js 16.4, not Gatehouse code): when one of these starts passing, drop `.fails` and its entry in
  // KNOWN_NEXT_500S, so the fuzz holds the line again.
  it.fails("answers a malformed percent-encoding in a dynamic segment with a 4xx (Next.js 16.4: 500, vercel/next.js#92527)", async () => {
    for (const path of ["/api/auth/groups/%C0%AF", "/api/auth/groups/%ZZ", "/portal/enter/%", "/api/auth/%E0%A4%A"]) {
      expect((await sendRaw({ pattern: "", method: "GET", path, headers: {} })).status, path).toBeLessThan(500);
    }
  });

  it.fails("answers TRACE with a 4xx (Next.js 16.4: 500 from the Edge middleware adapter)", async () => {
    for (const path of ["/api/health", "/oauth/token", "/"]) {
      expect((await sendRaw({ pattern: "", method: "TRACE", path, headers: {} })).status, path).toBeLessThan(500);
    }
  });
});
