/**
 * Serves Gatehouse's route handlers over real HTTP on 127.0.0.1 for integration tests (standard clients such as
 * oauth4webapi talk to it like to the deployed app). Routing mirrors the app/ folders; handlers run unchanged.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { resetConfigForTests } from "@/lib/config";
import { findFreePort } from "../../scripts/lib/postgres.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers declare their own params shapes
type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response> | Response;
type RouteModule = Partial<Record<"GET" | "POST" | "PATCH" | "DELETE" | "OPTIONS", Handler>>;

const ROUTES: [string, () => Promise<RouteModule>][] = [
  ["/oauth/token", () => import("@/app/oauth/token/route")],
  ["/oauth/introspect", () => import("@/app/oauth/introspect/route")],
  ["/oauth/revoke", () => import("@/app/oauth/revoke/route")],
  ["/oauth/register", () => import("@/app/oauth/register/route")],
  ["/.well-known/jwks.json", () => import("@/app/.well-known/jwks.json/route")],
  ["/.well-known/oauth-authorization-server", () => import("@/app/.well-known/oauth-authorization-server/route")],
  ["/api/auth/groups", () => import("@/app/api/auth/groups/route")],
  ["/api/auth/groups/:id", () => import("@/app/api/auth/groups/[id]/route")],
  ["/api/auth/groups/:id/members", () => import("@/app/api/auth/groups/[id]/members/route")],
  ["/api/auth/groups/:id/members/:userId", () => import("@/app/api/auth/groups/[id]/members/[userId]/route")],
  ["/api/mcp", () => import("@/app/api/mcp/route")],
  ["/auth/client", () => import("@/app/auth/client/route")],
  ["/api/partner/me", () => import("@/app/api/partner/me/route")],
  ["/api/partner/members", () => import("@/app/api/partner/members/route")],
  ["/api/partner/members/:userId", () => import("@/app/api/partner/members/[userId]/route")],
  ["/api/partner/invitations", () => import("@/app/api/partner/invitations/route")],
  ["/api/partner/invitations/:id", () => import("@/app/api/partner/invitations/[id]/route")],
  ["/.well-known/oauth-protected-resource", () => import("@/app/.well-known/oauth-protected-resource/route")],
  ["/.well-known/oauth-protected-resource/api/mcp", () => import("@/app/.well-known/oauth-protected-resource/api/mcp/route")],
];

function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const a = path.split("/");
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(":")) params[p[i]!.slice(1)] = decodeURIComponent(a[i]!);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

export interface TestApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the server on a free port and points AUTH_URL at it (issuer and audience checks use it); `close()` stops the
 * server and puts AUTH_URL back.
 */
export async function startTestApp(): Promise<TestApp> {
  const port = await findFreePort();
  const savedAuthUrl = process.env.AUTH_URL;
  process.env.AUTH_URL = `http://127.0.0.1:${port}`;
  resetConfigForTests();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    for (const [pattern, load] of ROUTES) {
      const params = match(pattern, url.pathname);
      if (!params) continue;
      const handler = (await load())[(req.method ?? "GET") as keyof RouteModule];
      if (!handler) break;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const response = await handler(new Request(url, { method: req.method, headers, body: req.method === "GET" ? undefined : body }), { params: Promise.resolve(params) });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      // Stream the body through (MCP answers with SSE): never buffer it.
      if (response.body) {
        const reader = response.body.getReader();
        for (let part = await reader.read(); !part.done; part = await reader.read()) res.write(part.value);
      }
      res.end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
      else process.env.AUTH_URL = savedAuthUrl;
      resetConfigForTests();
    },
  };
}

/**
 * Serves Auth.js's route handlers (lib/auth/handlers.ts, as app/api/auth/[...nextauth]/route.ts wires them) over
 * real HTTP on every interface at `port`, so a browser-like client can run a whole sign-in against the local issuer.
 * Import it after AUTH_URL and the issuer variables are set (the handlers read the configuration when loaded).
 * @param appUrl the public origin requests are resolved against (AUTH_URL)
 * @returns a server whose `close()` also drops kept-alive connections
 */
export async function startAuthJsServer(appUrl: string, port: number): Promise<TestApp> {
  const { NextRequest } = await import("next/server");
  const auth = await import("@/lib/auth/handlers");
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const request = new NextRequest(new URL(req.url ?? "/", appUrl), { method: req.method, headers, body: req.method === "GET" ? undefined : Buffer.concat(chunks) });
    const response = await (req.method === "POST" ? auth.POST : auth.GET)(request);
    const outgoing: Record<string, string | string[]> = Object.fromEntries(response.headers);
    outgoing["set-cookie"] = response.headers.getSetCookie();
    res.writeHead(response.status, outgoing).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(port, resolve)); // every interface: localhost may be ::1 or 127.0.0.1
  return {
    url: appUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A minimal browser cookie jar for one host (cookies by name: the app and the local issuers use distinct names).
 * A Set-Cookie with an empty value, `Max-Age=0` or an `Expires` in the past deletes the cookie.
 */
export class CookieJar {
  #cookies = new Map<string, string>();

  /** Sends with the jar's cookies, redirects not followed; `store` false leaves the jar as it was (replays). */
  async send(url: string, init: RequestInit = {}, store = true): Promise<Response> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    if (store) this.store(response);
    return response;
  }

  /** Takes in a response's Set-Cookie lines. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = attributes.find((a) => a.trim().toLowerCase().startsWith("expires="));
      const expired = /max-age=0\b/i.test(line) || (expires !== undefined && Date.parse(expires.trim().slice("expires=".length)) <= Date.now());
      if (expired || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
