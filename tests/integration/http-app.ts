/**
 * Serves Gatehouse's route handlers over real HTTP on 127.0.0.1 for integration tests (standard clients such as
 * oauth4webapi talk to it like to the deployed app), through the production server's own fast lane
 * (scripts/lib/fast-lane.ts): the same router and the same handlers; any other path is 404 here.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { resetConfigForTests } from "@/lib/config";
import { findFreePort } from "../../scripts/lib/postgres.ts";
import { serveFastLane } from "../../scripts/lib/fast-lane.ts";

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
  const origin = `http://127.0.0.1:${port}`;
  const server = http.createServer((req, res) => {
    serveFastLane(req, res, origin).then((served) => {
      if (!served) res.writeHead(404).end();
    }, (error: unknown) => res.writeHead(500).end(String(error)));
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
