/**
 * A complete production configuration for a throw-away local instance (`npm run bench`, the hostile test layer):
 * everything lib/config.ts refuses to start without in production, with fixed, non-secret test values.
 * Never for a real deployment.
 */

/**
 * @param label names the instance family (`bench`, `hostile`): the public origin is `https://gatehouse.<label>.test`
 * @returns environment variables; AUTH_URL is https, so cookies get their `__Secure-` / `__Host-` names. SMTP_URL
 *          points at a port where nothing listens (mail stays in the outbox). LOG_LEVEL is `warn`.
 */
export function localProductionEnv(label: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    AUTH_URL: `https://gatehouse.${label}.test`,
    AUTH_SECRET: `${label}-auth-secret-0123456789abcdef0123456789abcdef`,
    PORTAL_SESSION_PASSWORD: `${label}-portal-password-0123456789abcdef0123456789`,
    AUTH_GOOGLE_ID: `${label}-google-client`,
    AUTH_GOOGLE_SECRET: `${label}-google-secret`,
    SMTP_URL: "smtp://127.0.0.1:9",
    AWS_INTEGRATION_PRINCIPAL_ARN: "arn:aws:iam::111111111111:role/gatehouse-integrations",
    INTEGRATION_MASTER_KEYS: Buffer.from(`${label}-integration-master-key-0123456789abcdef`).toString("base64"),
    LOG_LEVEL: "warn",
  };
}
