/**
 * The benchmark's peer (issue 7, scenario 6): `oidc-provider`, the certified Node OAuth server (a plain Koa app, no
 * framework around it), configured for the same job as Gatehouse's `/oauth/token`: the client_credentials grant with
 * client_secret_basic, one confidential client, and JWT access tokens (RFC 9068 shape, EdDSA like Gatehouse's).
 *
 * Run as its own process (`tsx scripts/bench-peer.ts`), so it has an event loop to itself exactly as `next start`
 * does; it prints one JSON line `{ "url": … }` on stdout once listening and stops on SIGTERM. Everything lives in
 * memory (oidc-provider's memory adapter; JWT access tokens are never stored).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";

/** The peer's one client and the resource its tokens are for (fixed: the peer is a throw-away local process). */
export const PEER_CLIENT = { clientId: "bench-peer-client", clientSecret: "bench-peer-secret-0123456789abcdef0123456789", scope: "groups:read members:read" } as const;
const PEER_RESOURCE = "https://peer.bench.test/api";

interface OidcModule {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => { callback(): http.RequestListener; on(event: string, listener: (...args: unknown[]) => void): void };
}

/**
 * Starts the peer on 127.0.0.1.
 * @param port TCP port; 0 lets the OS choose
 * @returns the base URL (the token endpoint is `${url}/token`) and a stop function
 */
export async function startPeer(port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const oidc = (await import("oidc-provider" as string)) as OidcModule;
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: "EdDSA", use: "sig", kid: "bench-peer" };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new oidc.Provider(url, {
    clients: [
      {
        client_id: PEER_CLIENT.clientId,
        client_secret: PEER_CLIENT.clientSecret,
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        scope: PEER_CLIENT.scope,
        // The default alg (RS256) has no key here; tokens are signed with the one EdDSA key.
        id_token_signed_response_alg: "EdDSA",
      },
    ],
    jwks: { keys: [jwk] },
    scopes: PEER_CLIENT.scope.split(" "),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 8707: every client_credentials token is for PEER_RESOURCE (no `resource` parameter needed) and is a JWT,
      // signed with the provider's EdDSA key, 15 minutes like Gatehouse's.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => PEER_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: PEER_CLIENT.scope, audience: PEER_RESOURCE, accessTokenTTL: 900, accessTokenFormat: "jwt", jwt: { sign: { alg: "EdDSA" } } }),
      },
    },
    // Gatehouse answers token requests without CORS; so does the peer.
    clientBasedCORS: () => false,
  });
  provider.on("server_error", (_ctx, error) => console.error("[peer] server_error", error));
  server.on("request", provider.callback());

  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const peer = await startPeer(Number(process.argv[2] ?? 0));
  process.stdout.write(`${JSON.stringify({ url: peer.url })}\n`);
  process.on("SIGTERM", () => void peer.stop().then(() => process.exit(0)));
}
