/**
 * The route manifest of the hostile suite, read from the file system: every `app/**\/route.ts` with its URL pattern
 * and exported HTTP methods. The fuzz, tenant-isolation and CSRF tests derive their cases from it, so a route added
 * tomorrow is fuzzed at once and fails the classification checks until someone says how it is protected.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../../scripts/lib/env-files.ts";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export const UNSAFE_METHODS: readonly HttpMethod[] = ["POST", "PUT", "PATCH", "DELETE"];

export interface RouteHandler {
  /** The file, relative to the repository root, e.g. `app/api/auth/groups/[id]/route.ts`. */
  file: string;
  /** The URL pattern with Next's segment syntax, e.g. `/api/auth/groups/[id]`, `/api/auth/[...nextauth]`. */
  pattern: string;
  /** Dynamic segment names in order, e.g. `["id", "userId"]`. */
  params: string[];
  /** The HTTP methods the module exports. */
  methods: HttpMethod[];
}

const METHOD_LIST = HTTP_METHODS.join("|");
// `export const GET = …`, `export async function POST(…)`, `export function OPTIONS(…)`.
const DECLARED = new RegExp(`^export\\s+(?:const|let|var|(?:async\\s+)?function)\\s+(${METHOD_LIST})\\b`, "gm");
// `export { GET, POST } from "…"` and `export { handler as GET }`.
const LISTED = /^export\s*\{([^}]*)\}/gm;

/** The HTTP methods a route module exports, read from its source (importing it would need Next's runtime). */
export function exportedMethods(source: string): HttpMethod[] {
  const found = new Set<HttpMethod>();
  for (const match of source.matchAll(DECLARED)) found.add(match[1] as HttpMethod);
  for (const match of source.matchAll(LISTED)) {
    for (const item of match[1]!.split(",")) {
      const name = item.trim().split(/\s+as\s+/).at(-1)!.trim();
      if ((HTTP_METHODS as readonly string[]).includes(name)) found.add(name as HttpMethod);
    }
  }
  return HTTP_METHODS.filter((method) => found.has(method));
}

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return walk(full);
    return entry.name === "route.ts" || entry.name === "route.js" ? [full] : [];
  });
}

/**
 * Every route handler under `app/`, sorted by pattern. Route groups `(name)` and private folders `_name` follow
 * Next's rules (groups vanish from the URL, private folders are not routable).
 * @throws Error when a route module exports no HTTP method (it would be dead or mis-parsed)
 */
export function discoverRoutes(appDir = path.join(ROOT, "app")): RouteHandler[] {
  const routes: RouteHandler[] = [];
  for (const file of walk(appDir)) {
    const segments = path.relative(appDir, path.dirname(file)).split(path.sep).filter(Boolean);
    if (segments.some((segment) => segment.startsWith("_"))) continue;
    const urlSegments = segments.filter((segment) => !/^\(.*\)$/.test(segment));
    const methods = exportedMethods(readFileSync(file, "utf8"));
    if (methods.length === 0) throw new Error(`${file} exports no HTTP method handler`);
    routes.push({
      file: path.relative(ROOT, file),
      pattern: `/${urlSegments.join("/")}`,
      params: urlSegments.filter((segment) => segment.startsWith("[")).map((segment) => segment.replace(/^\[+(?:\.\.\.)?|\]+$/g, "")),
      methods,
    });
  }
  return routes.sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/**
 * Fills a pattern's dynamic segments. Values are percent-encoded unless `raw` (then they go out as given, which
 * lets the fuzz send `..`, `%00` and other odd path text); catch-all values may contain `/`.
 * @throws Error when a segment has no value
 */
export function fillPattern(pattern: string, values: Record<string, string>, options: { raw?: boolean } = {}): string {
  return pattern.replace(/\[+(\.\.\.)?([^\]]+)\]+/g, (_whole, catchAll: string | undefined, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for [${name}] in ${pattern}`);
    if (options.raw) return value;
    return catchAll ? value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(value);
  });
}

/** How a route authenticates its caller, per method: what the fuzz must never see succeed. */
export type Access =
  /** Anyone; no credential is checked (health, metadata, JWKS, Auth.js's own endpoints, logout). */
  | "public"
  /** A principal from getPrincipal or the MCP gate (session, portal cookie, Bearer token, API key). */
  | "principal"
  /** OAuth client credentials (Basic or form), RFC 6749 §2.3. */
  | "client"
  /** A portal magic-link secret in the path. */
  | "link";

/**
 * Routes (and methods) that accept anonymous callers, with why. Everything else is treated as protected, so a new
 * route is held to "no 2xx without a credential" until it is listed here on purpose.
 */
export const PUBLIC_ROUTES: Record<string, { methods: readonly HttpMethod[] | "all"; why: string }> = {
  "/.well-known/jwks.json": { methods: "all", why: "RFC 7517 key set: public keys only" },
  "/.well-known/oauth-authorization-server": { methods: "all", why: "RFC 8414 metadata" },
  "/.well-known/oauth-protected-resource": { methods: "all", why: "RFC 9728 metadata" },
  "/.well-known/oauth-protected-resource/api/mcp": { methods: "all", why: "RFC 9728 metadata" },
  "/api/health": { methods: "all", why: "liveness" },
  "/api/health/ready": { methods: "all", why: "readiness (database ping)" },
  "/api/auth/[...nextauth]": { methods: "all", why: "Auth.js: providers, CSRF token, session read, sign-in start; its own state/PKCE/CSRF checks" },
  "/api/mcp": { methods: ["OPTIONS"], why: "CORS preflight answers without a key (MCP Authorization spec)" },
  "/portal/logout": { methods: "all", why: "clears the portal cookie; needs no session" },
  "/unavailable": { methods: "all", why: "the static outage page (503 by design)" },
};

/** Routes that authenticate something other than a principal. */
const CREDENTIAL_ROUTES: Record<string, Access> = {
  "/oauth/token": "client",
  "/oauth/introspect": "client",
  "/oauth/revoke": "client",
  "/auth/client": "client",
  "/portal/enter/[token]": "link",
};

/** The access class of one route method (unlisted routes are `principal`: protected by default). */
export function accessOf(pattern: string, method: HttpMethod): Access {
  const publicRoute = PUBLIC_ROUTES[pattern];
  if (publicRoute && (publicRoute.methods === "all" || publicRoute.methods.includes(method))) return "public";
  return CREDENTIAL_ROUTES[pattern] ?? "principal";
}

/** `METHOD pattern`, the key the isolation and CSRF tables use. */
export const routeKey = (method: HttpMethod, pattern: string) => `${method} ${pattern}`;

/** Every `METHOD pattern` pair of the manifest. */
export function routeMethods(routes: RouteHandler[] = discoverRoutes()): { route: RouteHandler; method: HttpMethod; key: string }[] {
  return routes.flatMap((route) => route.methods.map((method) => ({ route, method, key: routeKey(method, route.pattern) })));
}
