/**
 * The route manifest of the hostile suite, read from the file system: every `app/**\/route.ts` with its URL pattern
 * and exported HTTP methods. The fuzz, tenant-isolation and CSRF tests derive their cases from it, so a route added
 * tomorrow is fuzzed at once and fails the classification checks until someone says how it is protected.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../../scripts/lib/env-files.ts";
import type { AccessPolicy } from "@/lib/auth/policy";

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
  /** Anyone; the declared policy accepts "public" (health, metadata, JWKS, Auth.js, logout, the magic-link entry). */
  | "public"
  /** A principal resolved by the policy (session, portal cookie, Bearer token, API key). */
  | "principal"
  /** OAuth client authentication (Basic, form or JSON; a public app client's client_id), RFC 6749 §2.3: the `oauth_client` and `app_client` kinds. */
  | "client";

/** The declared policy of one route method, as the route module exports it (lib/next/route.ts attaches it). */
export type DeclaredPolicy = AccessPolicy;

/**
 * Imports every route module of the manifest and reads each method's declared policy (`GET.policy`, …), so the
 * suite's classes come from what the code declares, not from a table kept here.
 * @throws Error when an exported method carries no policy (it was not wrapped by route())
 */
export async function loadRoutePolicies(routes: RouteHandler[] = discoverRoutes()): Promise<Map<string, DeclaredPolicy>> {
  const policies = new Map<string, DeclaredPolicy>();
  for (const route of routes) {
    const module = (await import(/* @vite-ignore */ path.join(ROOT, route.file))) as Record<string, { policy?: DeclaredPolicy } | undefined>;
    for (const method of route.methods) {
      const policy = module[method]?.policy;
      if (!policy) throw new Error(`${method} ${route.pattern} (${route.file}) declares no access policy`);
      policies.set(routeKey(method, route.pattern), policy);
    }
  }
  return policies;
}

/** The access class a declared policy puts a route method in. */
export function accessOfPolicy(policy: DeclaredPolicy): Access {
  if (policy.accept === "public") return "public";
  return policy.accept.includes("oauth_client") || policy.accept.includes("app_client") ? "client" : "principal";
}

/** Whether a policy lets a browser cookie (Auth.js session or portal session) authenticate the request. */
export function acceptsCookie(policy: DeclaredPolicy): boolean {
  return policy.accept !== "public" && (policy.accept.includes("user") || policy.accept.includes("portal"));
}

/** `METHOD pattern`, the key the isolation and CSRF tables use. */
export const routeKey = (method: HttpMethod, pattern: string) => `${method} ${pattern}`;

/** Every `METHOD pattern` pair of the manifest. */
export function routeMethods(routes: RouteHandler[] = discoverRoutes()): { route: RouteHandler; method: HttpMethod; key: string }[] {
  return routes.flatMap((route) => route.methods.map((method) => ({ route, method, key: routeKey(method, route.pattern) })));
}
