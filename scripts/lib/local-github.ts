/**
 * A local GitHub emulator for development, integration tests and Playwright: the OAuth 2.0 web flow
 * (`/login/oauth/authorize`, `/login/oauth/access_token`) and the two REST endpoints Gatehouse reads
 * (`/api/user`, `/api/user/emails`), shaped like GitHub's (https://docs.github.com/en/apps/oauth-apps).
 *
 * One client (LOCAL_GITHUB_CLIENT: fixed, public dev credentials), PKCE S256 when the app sends a challenge, a
 * one-page "pick a test user" login. Everything lives in memory. Like the local OpenID issuer, anyone can sign in as
 * anyone: lib/config.ts refuses LOCAL_GITHUB_URL in production except under the loopback test switch.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { LOCAL_GITHUB_CLIENT } from "../../lib/auth/local-idp-clients.ts";

export interface LocalGitHubUser {
  id: number;
  login: string;
  name: string;
  /** The public profile email of GET /user: anyone can set it to anything, so Gatehouse must not trust it. */
  publicEmail: string | null;
  /** GET /user/emails. */
  emails: { email: string; primary: boolean; verified: boolean }[];
  description: string;
}

export const LOCAL_GITHUB_USERS: LocalGitHubUser[] = [
  {
    id: 5_000_001,
    login: "ivy-gh",
    name: "Ivy Invited",
    publicEmail: null,
    emails: [{ email: "ivy@hooli.test", primary: true, verified: true }],
    description: "GitHub user whose verified primary email is ivy@hooli.test (invite it to let her join)",
  },
  {
    id: 5_000_002,
    login: "nina-gh",
    name: "Nina Nobody",
    publicEmail: "nina@nowhere.test",
    emails: [{ email: "nina@nowhere.test", primary: true, verified: true }],
    description: "GitHub user with a verified primary email nobody invited",
  },
  {
    id: 5_000_003,
    login: "uriel-gh",
    name: "Uriel Unverified",
    publicEmail: "uriel@hooli.test",
    emails: [
      { email: "uriel@hooli.test", primary: true, verified: false },
      { email: "uriel@elsewhere.test", primary: false, verified: true },
    ],
    description: "GitHub user whose primary email is NOT verified",
  },
  {
    id: 5_000_004,
    login: "mallory-gh",
    name: "Mallory Public",
    publicEmail: "ivy@hooli.test",
    emails: [{ email: "mallory@evil.test", primary: true, verified: true }],
    description: "GitHub user whose public profile email claims ivy@hooli.test (not hers)",
  },
];

export interface LocalGitHub {
  /** e.g. `http://127.0.0.1:54123`; the REST API is under `${url}/api`. */
  url: string;
  users: LocalGitHubUser[];
  stop(): Promise<void>;
}

interface PendingCode {
  userId: number;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
}

/**
 * Starts the emulator on 127.0.0.1.
 * @param options.port           0 (default) picks a free port
 * @param options.redirectOrigins origins a `redirect_uri` may point at (the app's)
 */
export async function startLocalGitHub(options: { port?: number; redirectOrigins: string[] }): Promise<LocalGitHub> {
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, number>();
  const byId = new Map(LOCAL_GITHUB_USERS.map((user) => [user.id, user]));

  const allowedRedirect = (uri: string | null) => {
    try {
      return uri !== null && options.redirectOrigins.includes(new URL(uri).origin);
    } catch {
      return false;
    }
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const body = req.method === "POST" ? await readBody(req) : "";
      if (url.pathname === "/login/oauth/authorize" && req.method === "GET") {
        const q = url.searchParams;
        if (q.get("client_id") !== LOCAL_GITHUB_CLIENT.clientId || !allowedRedirect(q.get("redirect_uri"))) return send(res, 400, "text/plain", "unknown client_id or redirect_uri");
        return send(res, 200, "text/html; charset=utf-8", loginPage(q));
      }
      if (url.pathname === "/login/oauth/authorize" && req.method === "POST") {
        const form = new URLSearchParams(body);
        const user = byId.get(Number(form.get("user")));
        const redirectUri = form.get("redirect_uri");
        if (!user || form.get("client_id") !== LOCAL_GITHUB_CLIENT.clientId || !allowedRedirect(redirectUri)) return send(res, 400, "text/plain", "bad request");
        const code = randomBytes(20).toString("hex");
        codes.set(code, { userId: user.id, redirectUri: redirectUri!, codeChallenge: form.get("code_challenge") || null, expiresAt: Date.now() + 600_000 });
        const target = new URL(redirectUri!);
        target.searchParams.set("code", code);
        if (form.get("state")) target.searchParams.set("state", form.get("state")!);
        res.writeHead(302, { location: target.toString() }).end();
        return;
      }
      if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
        const form = (req.headers["content-type"] ?? "").includes("json") ? new URLSearchParams(JSON.parse(body || "{}") as Record<string, string>) : new URLSearchParams(body);
        const [clientId, clientSecret] = basicCredentials(req.headers.authorization) ?? [form.get("client_id"), form.get("client_secret")];
        if (clientId !== LOCAL_GITHUB_CLIENT.clientId || !sameSecret(clientSecret ?? "", LOCAL_GITHUB_CLIENT.clientSecret)) return json(res, 200, { error: "incorrect_client_credentials" });
        const code = form.get("code") ?? "";
        const pending = codes.get(code);
        codes.delete(code);
        const verifier = form.get("code_verifier") ?? "";
        const pkceOk = !pending?.codeChallenge || createHash("sha256").update(verifier).digest("base64url") === pending.codeChallenge;
        if (!pending || pending.expiresAt < Date.now() || pending.redirectUri !== form.get("redirect_uri") || !pkceOk) return json(res, 200, { error: "bad_verification_code" });
        const token = `gho_${randomBytes(18).toString("hex")}`;
        tokens.set(token, pending.userId);
        return json(res, 200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
      }
      if (url.pathname === "/api/user" || url.pathname === "/api/user/emails") {
        const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
        const user = token ? byId.get(tokens.get(token) ?? -1) : undefined;
        if (!user) return json(res, 401, { message: "Requires authentication" });
        if (url.pathname === "/api/user/emails") return json(res, 200, user.emails.map((e) => ({ ...e, visibility: e.primary ? "private" : null })));
        return json(res, 200, { id: user.id, login: user.login, name: user.name, email: user.publicEmail, avatar_url: null, type: "User" });
      }
      send(res, 404, "text/plain", "not found");
    } catch (error) {
      send(res, 500, "text/plain", error instanceof Error ? error.message : "error");
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, users: LOCAL_GITHUB_USERS, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk: Buffer) => {
      data += chunk.toString("utf8");
      if (data.length > 64 * 1024) req.destroy();
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

function basicCredentials(header: string | undefined): [string, string] | null {
  const match = /^Basic (.+)$/i.exec(header ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : [decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1))];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: http.ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { "content-type": type }).end(text);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json", JSON.stringify(value));
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(query: URLSearchParams): string {
  const hidden = ["client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"]
    .filter((name) => query.get(name))
    .map((name) => `<input type="hidden" name="${name}" value="${escape(query.get(name)!)}">`)
    .join("");
  const items = LOCAL_GITHUB_USERS.map((user) => {
    const primary = user.emails.find((e) => e.primary)!;
    return `<li><button name="user" value="${user.id}">Sign in as ${escape(user.login)}</button> ${escape(primary.email)}${primary.verified ? "" : " (unverified)"}: ${escape(user.description)}</li>`;
  }).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Local GitHub</title></head><body><h1>Local GitHub (test users only)</h1><form method="post" action="/login/oauth/authorize">${hidden}<ul>${items}</ul></form></body></html>`;
}
