/**
 * The machine endpoints (OAuth, discovery metadata, the Bearer APIs, MCP) served by a plain `node:http` router
 * beside Next.js, in the same process (scripts/lib/server.ts), and by the integration tests' server.
 *
 * Why Gatehouse routes these itself: they are called by programs on every request, never by a browser page, and
 * Next's request path (router resolution, middleware, the app-route runtime) costs about 1.5 ms of CPU per request
 * before a handler runs, more than the handlers themselves (bench/NOTES.md, issue 16). The handlers are the same
 * modules Next serves (app/…/route.ts, each wrapped by lib/next/route.ts with its declared policy), so access,
 * errors, body limits, request ids and security headers are identical on both paths; only the router differs.
 * The partner, key and integration APIs (session or API key) come along: they are JSON APIs with their own policies.
 * So does `GET /portal`, the client portal's home: a page without client code, which external clients load most,
 * rendered here by React's server renderer with the same component and policy as its Next page. Everything else
 * (pages, server actions, Auth.js, the rest of the portal, the admin APIs, and the /api/health floor that tells a load
 * balancer Next itself is serving) stays on Next.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers declare their own params shapes
type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response> | Response;
type RouteModule = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS", Handler>>;

/** Patterns (`:name` for a dynamic segment) and their route modules, as the app/ folders name them. */
export const FAST_LANE_ROUTES: readonly (readonly [string, () => Promise<RouteModule>])[] = [
  ["/oauth/token", () => import("../../app/oauth/token/route.ts")],
  ["/oauth/introspect", () => import("../../app/oauth/introspect/route.ts")],
  ["/oauth/revoke", () => import("../../app/oauth/revoke/route.ts")],
  ["/oauth/register", () => import("../../app/oauth/register/route.ts")],
  ["/.well-known/jwks.json", () => import("../../app/.well-known/jwks.json/route.ts")],
  ["/.well-known/oauth-authorization-server", () => import("../../app/.well-known/oauth-authorization-server/route.ts")],
  ["/.well-known/oauth-protected-resource", () => import("../../app/.well-known/oauth-protected-resource/route.ts")],
  ["/.well-known/oauth-protected-resource/api/mcp", () => import("../../app/.well-known/oauth-protected-resource/api/mcp/route.ts")],
  ["/api/auth/groups", () => import("../../app/api/auth/groups/route.ts")],
  ["/api/auth/groups/:id", () => import("../../app/api/auth/groups/[id]/route.ts")],
  ["/api/auth/groups/:id/members", () => import("../../app/api/auth/groups/[id]/members/route.ts")],
  ["/api/auth/groups/:id/members/:userId", () => import("../../app/api/auth/groups/[id]/members/[userId]/route.ts")],
  ["/api/mcp", () => import("../../app/api/mcp/route.ts")],
  ["/api/bench/mcp-ungated", () => import("../../app/api/bench/mcp-ungated/route.ts")],
  ["/auth/client", () => import("../../app/auth/client/route.ts")],
  ["/auth/me", () => import("../../app/auth/me/route.ts")],
  ["/auth/api-keys", () => import("../../app/auth/api-keys/route.ts")],
  ["/auth/api-keys/:id", () => import("../../app/auth/api-keys/[id]/route.ts")],
  ["/api/auth/api-keys", () => import("../../app/api/auth/api-keys/route.ts")],
  ["/api/auth/api-keys/:id", () => import("../../app/api/auth/api-keys/[id]/route.ts")],
  ["/api/partner/me", () => import("../../app/api/partner/me/route.ts")],
  ["/api/partner/members", () => import("../../app/api/partner/members/route.ts")],
  ["/api/partner/members/:userId", () => import("../../app/api/partner/members/[userId]/route.ts")],
  ["/api/partner/invitations", () => import("../../app/api/partner/invitations/route.ts")],
  ["/api/partner/invitations/:id", () => import("../../app/api/partner/invitations/[id]/route.ts")],
  ["/api/partner/api-keys", () => import("../../app/api/partner/api-keys/route.ts")],
  ["/api/partner/api-keys/:id", () => import("../../app/api/partner/api-keys/[id]/route.ts")],
  // The portal's home page: a page, but one without client code, rendered by React alone (app/portal/portal-html.tsx).
  ["/portal", () => import("../../app/portal/portal-html.tsx")],
  ["/api/integrations", () => import("../../app/api/integrations/route.ts")],
  ["/api/integrations/oauth/callback", () => import("../../app/api/integrations/oauth/callback/route.ts")],
  ["/api/integrations/:id", () => import("../../app/api/integrations/[id]/route.ts")],
  ["/api/integrations/:id/aws-role", () => import("../../app/api/integrations/[id]/aws-role/route.ts")],
  ["/api/integrations/:id/oauth", () => import("../../app/api/integrations/[id]/oauth/route.ts")],
  ["/api/integrations/:id/sync", () => import("../../app/api/integrations/[id]/sync/route.ts")],
  ["/api/integrations/:id/sync-jobs", () => import("../../app/api/integrations/[id]/sync-jobs/route.ts")],
  ["/api/integrations/:id/sync-jobs/:jobId", () => import("../../app/api/integrations/[id]/sync-jobs/[jobId]/route.ts")],
  ["/api/integrations/:id/resources", () => import("../../app/api/integrations/[id]/resources/route.ts")],
  ["/api/integrations/:id/evidence", () => import("../../app/api/integrations/[id]/evidence/route.ts")],
];

const compiled = FAST_LANE_ROUTES.map(([pattern, load]) => ({ segments: pattern.split("/"), load }));
const loaded = new Map<() => Promise<RouteModule>, Promise<RouteModule>>();

/** The route a path names, with its dynamic segments decoded; null when the path is not a fast-lane path. */
export function matchFastLane(pathname: string): { load: () => Promise<RouteModule>; params: Record<string, string> } | null {
  const parts = pathname.split("/");
  for (const { segments, load } of compiled) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < segments.length && matched; i++) {
      const segment = segments[i]!;
      if (segment.startsWith(":")) {
        if (!parts[i]) matched = false;
        else {
          try {
            params[segment.slice(1)] = decodeURIComponent(parts[i]!);
          } catch {
            matched = false;
          }
        }
      } else if (segment !== parts[i]) matched = false;
    }
    if (matched) return { load, params };
  }
  return null;
}

/** Imports every fast-lane route module now, so the first request does not pay for loading them. */
export async function preloadFastLane(): Promise<void> {
  await Promise.all(FAST_LANE_ROUTES.map(([, load]) => moduleOf(load)));
}

function moduleOf(load: () => Promise<RouteModule>): Promise<RouteModule> {
  let module = loaded.get(load);
  if (!module) loaded.set(load, (module = load()));
  return module;
}

/**
 * Serves `req` when its path and method belong to the fast lane.
 * @param origin the public origin requests are resolved against (AUTH_URL)
 * @returns false when the request is not the fast lane's (the caller hands it to Next), true once answered
 */
export async function serveFastLane(req: IncomingMessage, res: ServerResponse, origin: string): Promise<boolean> {
  // Next's client router asks for a page's React Server Components payload (`RSC: 1`, prefetches too): that is
  // Next's to answer, from the page itself, never this lane's HTML.
  if (req.headers.rsc !== undefined || req.headers["next-router-prefetch"] !== undefined) return false;
  const url = new URL(req.url ?? "/", origin);
  const route = matchFastLane(url.pathname);
  if (!route) return false;
  const method = (req.method ?? "GET").toUpperCase();
  const handler = (await moduleOf(route.load))[(method === "HEAD" ? "GET" : method) as keyof RouteModule];
  if (!handler) return false; // Next answers 405 for a method the route does not export, as it always has
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = new Request(url, {
    method,
    headers,
    // The body streams through: the route wrapper enforces its policy's limit while it reads.
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  } as RequestInit);
  const response = await handler(request, { params: Promise.resolve(route.params) });
  const outgoing: Record<string, string | string[]> = {};
  // A body the handler did not read (refused before it, or over its limit) is discarded after the answer, and the
  // connection is not reused: the client may still be sending.
  const unread = hasBody && !req.complete;
  if (unread) outgoing.connection = "close";
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") outgoing[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) outgoing["set-cookie"] = cookies;
  res.writeHead(response.status, outgoing);
  if (response.body && method !== "HEAD") {
    // Stream the body through (MCP answers with SSE): never buffer it.
    const reader = response.body.getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) res.write(part.value);
  }
  res.end();
  if (unread) req.resume();
  return true;
}

/**
 * The request body as a web stream that reads from the socket only when the handler pulls (Node's `Readable.toWeb`
 * starts reading at once, and a body nobody reads then stalls the connection). Cancelling discards the rest.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (req.readableEnded) return controller.close();
        return new Promise<void>((resolve, reject) => {
          const done = () => {
            req.off("data", onData).off("end", onEnd).off("error", onError);
            resolve();
          };
          const onData = (chunk: Buffer) => {
            req.pause();
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            done();
          };
          const onEnd = () => {
            controller.close();
            done();
          };
          const onError = (error: Error) => {
            req.off("data", onData).off("end", onEnd).off("error", onError);
            reject(error);
          };
          req.on("data", onData).on("end", onEnd).on("error", onError);
          req.resume();
        });
      },
      cancel() {
        req.resume();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The stylesheets Next built for the root layout (app/layout.tsx), as URL paths, read from the build's client
 * reference manifest of the portal page (`entryCSSFiles["[project]/app/layout"]`).
 * @param distDir the build directory (`.next`)
 * @returns e.g. `["/_next/static/chunks/1a2b.css"]`; empty when the manifest is missing or shaped otherwise (the
 *          page is then served unstyled, never broken)
 */
export function rootLayoutStylesheets(distDir: string): string[] {
  try {
    const manifest = readFileSync(path.join(distDir, "server", "app", "portal", "page_client-reference-manifest.js"), "utf8");
    // `globalThis.__RSC_MANIFEST["/portal/page"] = {…};`: the object after the assignment.
    const start = manifest.indexOf("{", manifest.indexOf('__RSC_MANIFEST["/portal/page"]'));
    const json = JSON.parse(manifest.slice(start, manifest.lastIndexOf("}") + 1)) as { entryCSSFiles?: Record<string, { path: string }[]> };
    const entry = Object.entries(json.entryCSSFiles ?? {}).find(([name]) => name.endsWith("app/layout"))?.[1] ?? [];
    return entry.map((file) => `/_next/${file.path}`);
  } catch {
    return [];
  }
}
