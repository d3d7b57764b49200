/**
 * A local stand-in for three directory providers, for development, integration tests and Playwright: Okta-,
 * Google Workspace- and Entra ID-shaped OAuth 2.0 authorization servers (oauth-server.ts: a consent page, PKCE,
 * refresh-token rotation) and their directory APIs (apis.ts: pagination and throttling as each provider does it),
 * over one in-memory store of directories (store.ts).
 *
 * Paths (the emulator's origin is `url`):
 * - Okta: an org lives at `<url>/okta/<org>` (the "Okta domain" a partner enters): `/oauth2/v1/authorize|token`,
 *   `/api/v1/...`.
 * - Google: INTEGRATION_GOOGLE_URL = `<url>/google`: `/o/oauth2/v2/auth`, `/token`, `/admin/directory/v1/...`.
 * - Entra ID: INTEGRATION_ENTRA_URL = `<url>/entra`: `/<tenant>/oauth2/v2.0/authorize|token`, `/graph/v1.0/...`.
 *
 * Anyone can consent for any directory here: lib/config.ts refuses loopback provider URLs in production.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { handleApi } from "./apis.ts";
import { handleOAuth } from "./oauth-server.ts";
import { TokenRegistry, type DirectoryFaults, type EmulatorContext } from "./shared.ts";
import { DirectoryStore } from "./store.ts";

export { LOCAL_DIRECTORY_CLIENTS } from "./shared.ts";

export interface LocalDirectories {
  /** The emulator's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  store: DirectoryStore;
  tokens: TokenRegistry;
  faults: DirectoryFaults;
  /** The environment that points Gatehouse at this emulator (INTEGRATION_* variables). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the emulator.
 * @param options.port 0 (default) for any free port
 * @param options.redirectOrigins Gatehouse origins whose callback URLs the authorization servers accept
 */
export async function startLocalDirectories(options: { port?: number; host?: string; redirectOrigins: string[] }): Promise<LocalDirectories> {
  const store = new DirectoryStore();
  const tokens = new TokenRegistry();
  const faults: DirectoryFaults = { throttleEvery: 0, delayMs: 0, refreshCount: { okta: 0, google: 0, entra: 0 } };
  const context: EmulatorContext = { origin: "", store, tokens, faults, redirectOrigins: options.redirectOrigins };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", context.origin);
    void (async () => {
      if (await handleOAuth(request, response, url, context)) return;
      if (await handleApi(request, response, url, context)) return;
      response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not_found" }));
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "emulator_error", message: String(error) }));
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  context.origin = `http://${host}:${port}`;
  const { LOCAL_DIRECTORY_CLIENTS } = await import("./shared.ts");
  return {
    url: context.origin,
    store,
    tokens,
    faults,
    env: {
      INTEGRATION_GOOGLE_URL: `${context.origin}/google`,
      INTEGRATION_GOOGLE_CLIENT_ID: LOCAL_DIRECTORY_CLIENTS.google.clientId,
      INTEGRATION_GOOGLE_CLIENT_SECRET: LOCAL_DIRECTORY_CLIENTS.google.clientSecret,
      INTEGRATION_OKTA_CLIENT_ID: LOCAL_DIRECTORY_CLIENTS.okta.clientId,
      INTEGRATION_OKTA_CLIENT_SECRET: LOCAL_DIRECTORY_CLIENTS.okta.clientSecret,
      INTEGRATION_ENTRA_URL: `${context.origin}/entra`,
      INTEGRATION_ENTRA_CLIENT_ID: LOCAL_DIRECTORY_CLIENTS.entra.clientId,
      INTEGRATION_ENTRA_CLIENT_SECRET: LOCAL_DIRECTORY_CLIENTS.entra.clientSecret,
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
