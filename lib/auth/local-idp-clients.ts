/**
 * The local test issuer's OAuth clients (scripts/lib/local-idp.ts). Public, fixed development credentials:
 * they only work against that issuer, which lib/config.ts refuses in production.
 */
export const LOCAL_IDP_CLIENTS = {
  google: { clientId: "gatehouse-local.apps.googleusercontent.test", clientSecret: "local-google-secret-not-for-production" },
  entra: { clientId: "5b0e7c1a-2f3d-4e5b-8c6d-7a8b9c0d1e2f", clientSecret: "local-entra-secret-not-for-production" },
} as const;

/** The local GitHub emulator's OAuth app (scripts/lib/local-github.ts): public, fixed development credentials. */
export const LOCAL_GITHUB_CLIENT = { clientId: "Iv1.localgatehouse000", clientSecret: "local-github-secret-not-for-production" } as const;
