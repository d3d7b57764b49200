/**
 * What the local directory emulator's parts share (scripts/lib/local-directories): the OAuth clients Gatehouse uses
 * against it, the access tokens its authorization servers issued (checked by its directory APIs), and the faults a
 * test can inject. Development and tests only; lib/config.ts refuses loopback provider URLs in production.
 */
import type http from "node:http";
import type { DirectoryStore } from "./store.ts";

export type DirectoryProvider = "okta" | "google" | "entra";

/** Fixed, public development credentials of Gatehouse's OAuth app at each local provider (never secrets). */
export const LOCAL_DIRECTORY_CLIENTS = {
  google: { clientId: "gatehouse-local-google-integration", clientSecret: "local-google-integration-secret-not-a-secret" },
  okta: { clientId: "gatehouse-local-okta-integration", clientSecret: "local-okta-integration-secret-not-a-secret" },
  entra: { clientId: "gatehouse-local-entra-integration", clientSecret: "local-entra-integration-secret-not-a-secret" },
} as const satisfies Record<DirectoryProvider, { clientId: string; clientSecret: string }>;

/** An access token the local authorization servers issued: which directory it reads, with which scopes, until when. */
export interface IssuedAccessToken {
  provider: DirectoryProvider;
  /** The directory key: the Okta org name, the Google domain, the Entra tenant id. */
  directory: string;
  scopes: string[];
  /** ms since the epoch */
  expiresAt: number;
}

/** Access tokens by value. The authorization servers add; the APIs look up (401 when missing or expired). */
export class TokenRegistry {
  readonly #tokens = new Map<string, IssuedAccessToken>();
  add(token: string, info: IssuedAccessToken): void {
    this.#tokens.set(token, info);
  }
  /** The token's grant, or null when unknown or expired. */
  lookup(token: string): IssuedAccessToken | null {
    const info = this.#tokens.get(token);
    return info && info.expiresAt > Date.now() ? info : null;
  }
  /** Ends every token of a directory (a test's "admin revoked the app"). */
  revokeDirectory(provider: DirectoryProvider, directory: string): void {
    for (const [token, info] of this.#tokens) if (info.provider === provider && info.directory === directory) this.#tokens.delete(token);
  }
}

/** Faults a test can set at run time. */
export interface DirectoryFaults {
  /** Every Nth API request answers 429 with the provider's throttling headers (0: never). */
  throttleEvery: number;
  /** Milliseconds added to every API response (a slow provider). */
  delayMs: number;
  /** Refresh requests the token endpoints answered, per provider (concurrency tests count them). */
  refreshCount: Record<DirectoryProvider, number>;
}

/** What each handler gets. */
export interface EmulatorContext {
  /** The emulator's origin, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  origin: string;
  store: DirectoryStore;
  tokens: TokenRegistry;
  faults: DirectoryFaults;
  /** Origins whose redirect URIs the authorization servers accept (Gatehouse's app URL). */
  redirectOrigins: string[];
}

/** A handler answers the request and returns true, or returns false when the path is not its own. */
export type EmulatorHandler = (request: http.IncomingMessage, response: http.ServerResponse, url: URL, context: EmulatorContext) => Promise<boolean>;
