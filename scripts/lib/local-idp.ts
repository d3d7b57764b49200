/**
 * A local OpenID Connect issuer that plays "Google Workspace" and "Microsoft Entra ID" for development,
 * integration tests and Playwright (docs/ARCHITECTURE.md: e2e runs against a local issuer, never the real ones).
 *
 * Two `oidc-provider` instances share one Node http server, each mounted on its own path prefix:
 *   - `${url}/google`      → issuer for the Auth.js `google` provider
 *   - `${url}/entra/v2.0`  → issuer for the Auth.js `microsoft-entra-id` provider
 * Each issuer has one confidential client (fixed, public dev credentials in LOCAL_IDP_CLIENTS), code flow
 * with PKCE S256 only, and a one-page "pick a test user" login that auto-grants consent.
 *
 * Everything (signing keys, cookie keys, sessions, codes) lives in memory and dies with the process.
 * Never point a production deployment at this: anyone can sign in as anyone with one click.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { LOCAL_IDP_CLIENTS } from "../../lib/auth/local-idp-clients.ts";

export interface LocalIdpUser {
  /** Account id, also the OIDC `sub` (Google: numeric string; Entra: a pairwise-looking opaque string). */
  id: string;
  provider: "google" | "microsoft-entra-id";
  email: string;
  name: string;
  /** Google: `email_verified`. Entra: `xms_edov` (Entra never sends `email_verified`; see claimsFor). */
  emailVerified: boolean;
  /** Google Workspace hosted domain; absent for personal (gmail) accounts, exactly like Google. */
  hd?: string;
  /** Entra tenant id (GUID). */
  tid?: string;
  /** Entra object id (GUID), stable per user across apps, unlike `sub`. */
  oid?: string;
  /** Entra UPN-like sign-in name. */
  preferredUsername?: string;
  /** One line for humans (shown on the login page and by scripts/idp.ts). */
  description: string;
}

/** Fixed tenant ids so tests and seeds can allow-list a tenant by `tid`. */
export const LOCAL_IDP_TENANTS = {
  contoso: "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7",
  fabrikam: "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
} as const;

export const LOCAL_IDP_USERS: LocalIdpUser[] = [
  {
    id: "110000000000000000001",
    provider: "google",
    email: "alice@acme.test",
    name: "Alice Anders",
    emailVerified: true,
    hd: "acme.test",
    description: "Google Workspace user in acme.test",
  },
  {
    id: "110000000000000000002",
    provider: "google",
    email: "bob@acme.test",
    name: "Bob Brandt",
    emailVerified: true,
    hd: "acme.test",
    description: "Second Google Workspace user in acme.test (same domain as alice)",
  },
  {
    id: "110000000000000000003",
    provider: "google",
    email: "carol@globex.test",
    name: "Carol Chen",
    emailVerified: true,
    hd: "globex.test",
    description: "Google Workspace user in another domain, globex.test",
  },
  {
    id: "110000000000000000006",
    provider: "google",
    email: "grace@hooli.test",
    name: "Grace Hopper",
    emailVerified: true,
    hd: "hooli.test",
    description: "Google Workspace user in hooli.test (used by the groups and OAuth demos)",
  },
  {
    id: "110000000000000000007",
    provider: "google",
    email: "heidi@hooli.test",
    name: "Heidi Lamarr",
    emailVerified: true,
    hd: "hooli.test",
    description: "Second Google Workspace user in hooli.test",
  },
  {
    id: "110000000000000000004",
    provider: "google",
    email: "gina@gmail.test",
    name: "Gina Garcia",
    emailVerified: true,
    description: "Personal Google account: no hd claim",
  },
  {
    id: "110000000000000000005",
    provider: "google",
    email: "unverified@acme.test",
    name: "Uma Unverified",
    emailVerified: false,
    hd: "acme.test",
    description: "Google Workspace user in acme.test whose email_verified is false",
  },
  {
    id: "wXw3Hc0mG3p2t9bJcQ5v8sZ1yK4eR7uA0dF6hL2nP9E",
    provider: "microsoft-entra-id",
    email: "erin@contoso.test",
    name: "Erin Evans",
    emailVerified: true,
    tid: LOCAL_IDP_TENANTS.contoso,
    oid: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b01",
    preferredUsername: "erin@contoso.test",
    description: "Entra ID user in tenant contoso",
  },
  {
    id: "fR4nKq8sT1vW5yZ2bD6gJ9mP3rU7xA0cE4hL8oS1uV3",
    provider: "microsoft-entra-id",
    email: "frank@contoso.test",
    name: "Frank Fischer",
    emailVerified: true,
    tid: LOCAL_IDP_TENANTS.contoso,
    oid: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b02",
    preferredUsername: "frank@contoso.test",
    description: "Second Entra ID user in tenant contoso (same tid as erin)",
  },
  {
    id: "uRs7aQ2nV5xB8cE1gJ4kM7pS0tW3yZ6bD9fH2jL5nQ8",
    provider: "microsoft-entra-id",
    email: "ursula@contoso.test",
    name: "Ursula Unvouched",
    emailVerified: false,
    tid: LOCAL_IDP_TENANTS.contoso,
    oid: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b03",
    preferredUsername: "ursula@contoso.test",
    description: "Entra ID user in tenant contoso whose email Entra does not vouch for (no xms_edov)",
  },
  {
    id: "aDm1nF4bR1kAm9Xy2Qz5Lw8Pv3Ks6Jt0Hg7Nc4Me1Bd",
    provider: "microsoft-entra-id",
    email: "admin@fabrikam.test",
    name: "Fabrikam Admin",
    emailVerified: true,
    tid: LOCAL_IDP_TENANTS.fabrikam,
    oid: "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2901",
    preferredUsername: "admin@fabrikam.test",
    description: "Entra ID user in another tenant, fabrikam",
  },
];

/**
 * Dev/test client credentials, deliberately fixed and public so `.env.example` and Playwright can name them.
 * The Entra client id is a GUID because real Entra application ids are.
 */
export { LOCAL_IDP_CLIENTS };

export interface LocalIdp {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** `${url}/google` */
  googleIssuer: string;
  /** `${url}/entra/v2.0` */
  entraIssuer: string;
  /** Closes the server and every open (keep-alive) connection. */
  stop(): Promise<void>;
}

// --- the small slice of oidc-provider's API used here (the package ships no TypeScript types) ---------
interface OidcInteraction {
  uid: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  /** The issuer session the authorization request arrived with, if any. */
  session?: { uid: string; accountId?: string };
  save(ttlSeconds: number): Promise<unknown>;
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface OidcProvider {
  issuer: string;
  Grant: new (init: { accountId: string; clientId: string }) => OidcGrant;
  Session: { findByUid(uid: string): Promise<{ destroy(): Promise<void> } | undefined> };
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<OidcInteraction>;
  interactionFinished(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  on(event: "server_error", listener: (ctx: unknown, error: Error) => void): void;
}
interface OidcCheckCtx {
  oidc: { result?: { login?: unknown }; prompts: Set<string> };
}
interface OidcModule {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  interactionPolicy: {
    base(): { get(name: string): { checks: { add(check: unknown): void } } };
    Check: new (reason: string, description: string, check: (ctx: OidcCheckCtx) => boolean) => unknown;
  };
}
// ---------------------------------------------------------------------------------------------------------

interface Mount {
  /** Path prefix without trailing slash, e.g. `/google`. */
  prefix: string;
  title: string;
  provider: OidcProvider;
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  users: LocalIdpUser[];
}

/**
 * Starts both issuers on one http server and resolves once it is listening.
 *
 * @param options.port            TCP port; `0` or omitted lets the OS pick one (read it back from `url`)
 * @param options.host            interface to bind and the host used in issuer URLs; default `127.0.0.1`
 * @param options.redirectOrigins app origins allowed to receive codes, e.g. `["http://localhost:3000"]`;
 *                                each gets `${origin}/api/auth/callback/google` and
 *                                `${origin}/api/auth/callback/microsoft-entra-id` registered
 * @throws Error when `redirectOrigins` is empty or not origins, or the port cannot be bound (EADDRINUSE)
 */
export async function startLocalIdp(options: {
  port?: number;
  host?: string;
  redirectOrigins: string[];
}): Promise<LocalIdp> {
  const host = options.host ?? "127.0.0.1";
  const origins = options.redirectOrigins.map((origin) => {
    const parsed = new URL(origin);
    if (parsed.origin !== origin.replace(/\/$/, "")) throw new Error(`redirectOrigins: "${origin}" is not an origin`);
    return parsed.origin;
  });
  if (origins.length === 0) throw new Error("redirectOrigins must name at least one app origin");

  // Imported at run time through a widened specifier: oidc-provider has no bundled types, and this keeps
  // the typed facade above as the single source of truth instead of an ambient `any` module.
  const oidc = (await import("oidc-provider" as string)) as OidcModule;

  let mounts: Mount[] = [];
  const server = http.createServer((req, res) => {
    dispatch(mounts, req, res).catch((error: unknown) => {
      console.error("[local-idp] unhandled error", error);
      if (!res.headersSent) sendHtml(res, 500, page("Local identity provider error", "<p>Unexpected error; see the server log.</p>"));
      else res.destroy();
    });
  });
  // The issuer URL must contain the real port, so listen first and build the providers afterwards;
  // until then requests would see no mounts, but nobody knows the port yet.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  try {
    mounts = [
      await createMount(oidc, {
        prefix: "/google",
        url,
        name: "google",
        title: "Local Google Workspace (test issuer)",
        client: LOCAL_IDP_CLIENTS.google,
        redirectUris: origins.map((origin) => `${origin}/api/auth/callback/google`),
        users: LOCAL_IDP_USERS.filter((user) => user.provider === "google"),
        // Google puts `hd` in every ID token of a Workspace account, whatever the scopes.
        claims: {
          openid: ["sub", "hd"],
          email: ["email", "email_verified"],
          profile: ["name", "given_name", "family_name"],
        },
        extraScopes: [],
      }),
      await createMount(oidc, {
        prefix: "/entra/v2.0",
        url,
        name: "entra",
        title: "Local Microsoft Entra ID (test issuer)",
        client: LOCAL_IDP_CLIENTS.entra,
        redirectUris: origins.map((origin) => `${origin}/api/auth/callback/microsoft-entra-id`),
        users: LOCAL_IDP_USERS.filter((user) => user.provider === "microsoft-entra-id"),
        claims: {
          openid: ["sub", "tid", "ver"],
          email: ["email", "xms_edov"],
          profile: ["name", "preferred_username", "oid"],
        },
        // Auth.js's Entra provider asks for Graph's `User.Read`. Unknown scopes are silently dropped by
        // oidc-provider anyway; declaring it makes the token response echo it like Entra does.
        extraScopes: ["User.Read"],
      }),
    ];
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    url,
    googleIssuer: `${url}/google`,
    entraIssuer: `${url}/entra/v2.0`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch/undici and browsers keep connections alive; without this close() waits for them.
        server.closeAllConnections();
      }),
  };
}

async function createMount(
  oidc: OidcModule,
  spec: {
    prefix: string;
    url: string;
    name: string;
    title: string;
    client: { clientId: string; clientSecret: string };
    redirectUris: string[];
    users: LocalIdpUser[];
    claims: Record<string, string[]>;
    extraScopes: string[];
  },
): Promise<Mount> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: `${spec.name}-${randomBytes(6).toString("hex")}` };

  // Always show the account chooser, even with a live session: tests and developers switch users all the
  // time, and silently re-using the last one would be confusing. `prompt=none` keeps working (no UI).
  const policy = oidc.interactionPolicy.base();
  policy.get("login").checks.add(
    new oidc.interactionPolicy.Check("choose_account", "the local test issuer always asks which test user", (ctx) =>
      !ctx.oidc.result?.login && !ctx.oidc.prompts.has("none"),
    ),
  );

  const byId = new Map(spec.users.map((user) => [user.id, user]));
  const cookieName = (kind: string) => `localidp_${spec.name}_${kind}`;

  const provider = withoutMemoryAdapterWarning(() => new oidc.Provider(`${spec.url}${spec.prefix}`, {
    clients: [
      {
        client_id: spec.client.clientId,
        client_secret: spec.client.clientSecret,
        application_type: "web",
        // A client has one registered method, but oidc-provider accepts basic and post interchangeably.
        token_endpoint_auth_method: "client_secret_basic",
        response_types: ["code"],
        grant_types: ["authorization_code"],
        redirect_uris: spec.redirectUris,
      },
    ],
    jwks: { keys: [jwk] },
    cookies: {
      keys: [randomBytes(32).toString("base64url")],
      // Both issuers share one host (and cookies ignore ports, so the app on localhost:3000 sees them too):
      // distinct names keep the two providers' and the app's cookies apart.
      names: { session: cookieName("session"), interaction: cookieName("interaction"), resume: cookieName("resume") },
    },
    claims: { acr: null, auth_time: null, iss: null, sid: null, ...spec.claims },
    scopes: ["openid", "offline_access", ...spec.extraScopes],
    // Put scope claims into the ID token itself, as Google and Entra do (oidc-provider otherwise keeps
    // them for the userinfo endpoint whenever an access token is issued too).
    conformIdTokenClaims: false,
    responseTypes: ["code"],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: true },
    },
    interactions: {
      policy,
      // An absolute path (not a full URL) so the browser stays on whichever host name it used (127.0.0.1
      // or localhost); oidc-provider also derives the interaction cookie's path from it.
      url: (_ctx: unknown, interaction: { uid: string }) => `${spec.prefix}/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = byId.get(sub);
      if (!user) return undefined;
      return { accountId: user.id, claims: async () => claimsFor(user) };
    },
    // The app talks to the token endpoint server-side; no browser origin ever needs CORS there.
    clientBasedCORS: () => false,
    renderError: (ctx: { type: string; body: string; status: number }, out: Record<string, string>) => {
      ctx.type = "html";
      ctx.body = page(
        `${spec.title}: error`,
        `<dl>${Object.entries(out)
          .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
          .join("")}</dl>`,
      );
    },
    // Seconds.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  }));
  provider.on("server_error", (_ctx, error) => console.error(`[local-idp ${spec.name}] server_error`, error));

  return { prefix: spec.prefix, title: spec.title, provider, handle: provider.callback(), users: spec.users };
}

/**
 * Runs `construct` while dropping exactly one console.warn: oidc-provider's "in-memory adapter" warning,
 * which is the intended setup here (state dies with the process). Every other warning passes through.
 */
function withoutMemoryAdapterWarning<T>(construct: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].includes("development-only in-memory adapter")) return;
    warn(...args);
  };
  try {
    return construct();
  } finally {
    console.warn = warn;
  }
}

/** The claims each real issuer puts in an ID token for this user; oidc-provider filters them by scope. */
function claimsFor(user: LocalIdpUser): Record<string, unknown> {
  if (user.provider === "google") {
    const [given, ...family] = user.name.split(" ");
    return {
      sub: user.id,
      email: user.email,
      email_verified: user.emailVerified,
      name: user.name,
      given_name: given,
      family_name: family.join(" ") || undefined,
      hd: user.hd,
    };
  }
  // Entra v2 ID tokens carry no `email_verified`; the closest real claim is the optional `xms_edov`
  // ("email domain owner verified"), so that is what the local Entra issuer sends.
  return {
    sub: user.id,
    tid: user.tid,
    oid: user.oid,
    ver: "2.0",
    email: user.email,
    xms_edov: user.emailVerified,
    name: user.name,
    preferred_username: user.preferredUsername,
  };
}

async function dispatch(mounts: Mount[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://local").pathname;
  const mount = mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));

  if (!mount) {
    if (path === "/") {
      const list = mounts.map((m) => `<li><a href="${escapeHtml(m.prefix)}/.well-known/openid-configuration">${escapeHtml(m.title)}</a></li>`);
      sendHtml(res, 200, page("Local identity providers", `<ul>${list.join("")}</ul>`));
    } else {
      sendHtml(res, 404, page("Not found", "<p>No issuer is mounted here.</p>"));
    }
    return;
  }

  const interaction = /^\/interaction\/([^/]+)$/.exec(path.slice(mount.prefix.length));
  if (interaction?.[1]) {
    await handleInteraction(mount, decodeURIComponent(interaction[1]), req, res);
    return;
  }

  // Mounting: oidc-provider routes on the path without the prefix and rebuilds its own URLs from
  // `req.originalUrl` minus `req.url` (what express' app.use(prefix, …) would do).
  const mutable = req as http.IncomingMessage & { originalUrl?: string };
  mutable.originalUrl = req.url;
  mutable.url = (req.url ?? "/").slice(mount.prefix.length) || "/";
  mount.handle(req, res);
}

async function handleInteraction(mount: Mount, uid: string, req: http.IncomingMessage, res: http.ServerResponse) {
  let details: OidcInteraction;
  try {
    details = await mount.provider.interactionDetails(req, res);
  } catch {
    sendHtml(
      res,
      400,
      page(mount.title, "<p>This sign-in attempt has expired or its cookie is missing. Start again from the application.</p>"),
    );
    return;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, page(mount.title, "<p>This sign-in page does not belong to the current attempt. Start again from the application.</p>"));
    return;
  }

  if (req.method === "GET" && details.prompt.name !== "login") {
    // Only consent is left (e.g. the grant expired while the session lived on): test users always agree.
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error(`unexpected prompt "${details.prompt.name}" without a session`);
    const grantId = await grantEverything(mount.provider, details, accountId);
    await mount.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  if (req.method === "GET") {
    sendHtml(res, 200, loginPage(mount, uid));
    return;
  }

  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "GET, POST" }).end();
    return;
  }

  const form = new URLSearchParams(await readBody(req, 4096));
  if (form.get("action") === "cancel") {
    await mount.provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "End-User aborted interaction" },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const user = mount.users.find((u) => u.id === form.get("user"));
  if (!user) {
    sendHtml(res, 400, loginPage(mount, uid, "Choose one of the listed test users."));
    return;
  }
  if (details.session && details.session.accountId !== user.id) await forgetPreviousSession(mount.provider, details);
  // Login and consent in one step: real Google/Entra show no consent screen for an already-consented
  // first-party app, and Playwright should need exactly one click.
  const grantId = await grantEverything(mount.provider, details, user.id);
  await mount.provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.id }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

/**
 * Switching to another test user while the browser still has an issuer session for someone else: left
 * alone, oidc-provider answers the resume with a script-driven "log out first" form post. Detaching the
 * old session from the interaction and destroying it makes the resume start a fresh session instead.
 */
async function forgetPreviousSession(provider: OidcProvider, details: OidcInteraction): Promise<void> {
  const previous = details.session ? await provider.Session.findByUid(details.session.uid) : undefined;
  details.session = undefined;
  await details.save(Math.max(1, details.exp - Math.floor(Date.now() / 1000)));
  await previous?.destroy();
}

/** Creates a Grant for everything the authorization request asked for; returns its id. */
async function grantEverything(provider: OidcProvider, details: OidcInteraction, accountId: string): Promise<string> {
  const clientId = String(details.params.client_id);
  // Always a new Grant: one left over from an earlier sign-in may belong to another test user.
  const grant = new provider.Grant({ accountId, clientId });
  if (typeof details.params.scope === "string") grant.addOIDCScope(details.params.scope);
  const missingResourceScopes = details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined;
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(" "));
  }
  return grant.save();
}

function loginPage(mount: Mount, uid: string, error?: string): string {
  const action = `${mount.prefix}/interaction/${encodeURIComponent(uid)}`;
  const items = mount.users.map((user, index) => {
    const descriptionId = `user-${index}-description`;
    return `<li>
  <button type="submit" name="user" value="${escapeHtml(user.id)}" aria-describedby="${descriptionId}">Sign in as ${escapeHtml(user.email)}</button>
  <span id="${descriptionId}">${escapeHtml(user.name)}: ${escapeHtml(user.description)}</span>
</li>`;
  });
  return page(
    mount.title,
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<p>Test users only. Choose who to sign in as.</p>
<form method="post" action="${escapeHtml(action)}" aria-label="Choose a test user">
  <ul>${items.join("\n")}</ul>
  <button type="submit" name="action" value="cancel">Cancel</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{margin:.5rem 0}button{font:inherit;padding:.4rem .8rem;margin-right:.5rem}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    // No scripts, no external loads. Deliberately no form-action: Chromium applies it to the redirect
    // chain after the POST, which ends at the app's origin.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

function readBody(req: http.IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error(`request body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
