/**
 * The environment, parsed once with zod (docs/ARCHITECTURE.md "lib/config.ts").
 *
 * Production refuses to start with a missing or weak secret, and refuses development-only switches such as the
 * local identity provider (except under GATEHOUSE_TEST_LOCAL_IDP=1 with loopback URLs: the e2e layer's production
 * build, lib/auth/test-local-idp.ts). Development fills insecure defaults and prints one warning per default it used.
 */
import { hkdfSync } from "node:crypto";
import { z } from "zod";
import { LOCAL_GITHUB_CLIENT, LOCAL_IDP_CLIENTS } from "@/lib/auth/local-idp-clients";
import { isLoopbackUrl, TEST_LOCAL_IDP_VARIABLE, testLocalIdpProblems } from "@/lib/auth/test-local-idp";

const MIN_SECRET_LENGTH = 32;

const DEV_AUTH_SECRET = "gatehouse-development-auth-secret-not-for-production";
const DEV_PORTAL_SESSION_PASSWORD = "gatehouse-development-portal-password-not-for-production";

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

/** A per-minute request limit: a positive whole number. */
const perMinute = optionalString.pipe(
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, "must be a whole number of requests per minute (1 or more)")
    .transform(Number)
    .optional(),
);

/** A per-hour limit: a positive whole number. */
const perHour = optionalString.pipe(
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, "must be a whole number per hour (1 or more)")
    .transform(Number)
    .optional(),
);

/** A number of days in [1, 365]. */
const days = optionalString.pipe(
  z
    .string()
    .regex(/^[1-9]\d{0,2}$/, "must be a whole number of days from 1 to 365")
    .transform(Number)
    .refine((n) => n <= 365, "must be a whole number of days from 1 to 365")
    .optional(),
);

/** A number of hours in [1, 8760] (a year). */
const hours = optionalString.pipe(
  z
    .string()
    .regex(/^[1-9]\d{0,3}$/, "must be a whole number of hours from 1 to 8760")
    .transform(Number)
    .refine((n) => n <= 8760, "must be a whole number of hours from 1 to 8760")
    .optional(),
);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required (a postgresql:// URL); `npm run dev` sets it for the embedded server" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  AUTH_URL: optionalString.pipe(z.url({ error: "must be an absolute URL such as https://gatehouse.example.com" }).optional()),
  AUTH_SECRET: optionalString,
  PORTAL_SESSION_PASSWORD: optionalString,
  AUTH_GOOGLE_ID: optionalString,
  AUTH_GOOGLE_SECRET: optionalString,
  AUTH_MICROSOFT_ENTRA_ID_ID: optionalString,
  AUTH_MICROSOFT_ENTRA_ID_SECRET: optionalString,
  AUTH_MICROSOFT_ENTRA_ID_ISSUER: optionalString.pipe(z.url().optional()),
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  AUTH_GITHUB_URL: optionalString.pipe(z.url().optional()),
  AUTH_GITHUB_API_URL: optionalString.pipe(z.url().optional()),
  LOCAL_IDP_URL: optionalString.pipe(z.url().optional()),
  LOCAL_GITHUB_URL: optionalString.pipe(z.url().optional()),
  GATEHOUSE_TEST_LOCAL_IDP: optionalString,
  ADMIN_EMAILS: optionalString,
  ALLOW_PERSONAL_ACCOUNTS: z.enum(["true", "false"]).optional(),
  SMTP_URL: optionalString.pipe(z.url({ error: "must be an smtp:// or smtps:// URL" }).optional()),
  MAIL_FROM: optionalString,
  REQUIRE_MCP_AUTH: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  RATE_LIMIT_TOKEN_PER_MINUTE: perMinute,
  RATE_LIMIT_SIGN_IN_PER_MINUTE: perMinute,
  RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE: perMinute,
  RATE_LIMIT_PORTAL_ENTER_PER_MINUTE: perMinute,
  TRUSTED_PROXY_HOPS: optionalString.pipe(z.string().regex(/^\d$/, "must be a whole number from 0 to 9 (the proxies in front of Gatehouse)").transform(Number).optional()),
  RATE_LIMIT_PORTAL_EMAILS_PER_HOUR: perHour,
  RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR: perHour,
  MCP_ALLOWED_ORIGINS: optionalString,
  PORTAL_LINK_TTL_DAYS: days,
  API_KEY_DEFAULT_TTL_DAYS: days,
  SESSION_MAX_LIFETIME_HOURS: hours,
  SESSION_IDLE_HOURS: hours,
  INTEGRATION_MASTER_KEYS: optionalString,
  AWS_INTEGRATION_PRINCIPAL_ARN: optionalString,
  AWS_REGION: optionalString,
  AWS_STS_ENDPOINT: optionalString.pipe(z.url().optional()),
  AWS_IAM_ENDPOINT: optionalString.pipe(z.url().optional()),
  INTEGRATION_GOOGLE_CLIENT_ID: optionalString,
  INTEGRATION_GOOGLE_CLIENT_SECRET: optionalString,
  INTEGRATION_GOOGLE_URL: optionalString.pipe(z.url().optional()),
  INTEGRATION_OKTA_CLIENT_ID: optionalString,
  INTEGRATION_OKTA_CLIENT_SECRET: optionalString,
  INTEGRATION_ENTRA_CLIENT_ID: optionalString,
  INTEGRATION_ENTRA_CLIENT_SECRET: optionalString,
  INTEGRATION_ENTRA_URL: optionalString.pipe(z.url().optional()),
  INTEGRATION_SYNC_TIMEOUT_SECONDS: optionalString.pipe(z.string().regex(/^[1-9]\d{0,4}$/, "must be a whole number of seconds (1 to 99999)").transform(Number).optional()),
  INTEGRATION_RESOURCE_LIMIT: optionalString.pipe(z.string().regex(/^[1-9]\d{0,5}$/, "must be a whole number (1 to 999999)").transform(Number).optional()),
});

export interface OidcProviderConfig {
  clientId: string;
  clientSecret: string;
  /** Issuer URL; the provider's public issuer unless pointed at the local test issuer. */
  issuer: string;
}

/** GitHub OAuth app (no OpenID Connect: the user and their verified emails come from the REST API). */
export interface GitHubProviderConfig {
  clientId: string;
  clientSecret: string;
  /** Where /login/oauth/authorize and /login/oauth/access_token live (https://github.com, or GitHub Enterprise). */
  webUrl: string;
  /** The REST API root for /user and /user/emails (https://api.github.com). */
  apiUrl: string;
}

/** Browser-session lifetimes, in hours. */
export interface SessionLifetimes {
  /** A session ends this long after sign-in, however active (SESSION_MAX_LIFETIME_HOURS, default 168 = 7 days). */
  maxLifetimeHours: number;
  /** A session ends after this long without a request (SESSION_IDLE_HOURS, default 12). */
  idleHours: number;
}

/** Request limits (fixed windows of one minute unless the name says otherwise, counted in PostgreSQL across instances). */
export interface RateLimits {
  /** POST /oauth/token per client_id and IP (RATE_LIMIT_TOKEN_PER_MINUTE, default 600). */
  tokenPerMinute: number;
  /**
   * Sign-in starts (the sign-in page, Auth.js POSTs) and OAuth callbacks per IP (RATE_LIMIT_SIGN_IN_PER_MINUTE,
   * default 60; one sign-in counts twice).
   */
  signInPerMinute: number;
  /** POST /auth/client per IP (RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE, default 30). */
  clientExchangePerMinute: number;
  /** GET /portal/enter/{token} per IP (RATE_LIMIT_PORTAL_ENTER_PER_MINUTE, default 20). */
  portalEnterPerMinute: number;
  /** Portal links emailed to contacts, per partner per hour (RATE_LIMIT_PORTAL_EMAILS_PER_HOUR, default 50). */
  portalEmailsPerHour: number;
  /** RFC 7591 dynamic client registrations per IP per hour (RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR, default 20). */
  clientRegistrationsPerHour: number;
}

/** An OAuth 2.0 application Gatehouse registered with a directory provider (integrations, not sign-in). */
export interface IntegrationOAuthApp {
  clientId: string;
  clientSecret: string;
}

/**
 * Cloud and directory integrations (lib/integrations). Every endpoint defaults to the provider's production URL; the
 * overrides exist for the local emulators, and production refuses loopback or plain-http ones.
 */
export interface IntegrationsConfig {
  /**
   * Master keys by id (INTEGRATION_MASTER_KEYS: JSON `{"2":"<base64, 32+ bytes>","1":"<old>"}` or one base64 value,
   * id "1"). The highest id encrypts; every id decrypts; `npm run gatehouse -- integrations:rekey` re-encrypts.
   */
  masterKeys: Record<string, Buffer>;
  /** The id that encrypts. */
  currentKeyId: string;
  /** Gatehouse's AWS principal customers trust (AWS_INTEGRATION_PRINCIPAL_ARN); unset: AWS integrations are off. */
  awsPrincipalArn?: string;
  awsRegion: string;
  /** STS and IAM endpoints (AWS_STS_ENDPOINT, AWS_IAM_ENDPOINT); undefined: the SDK's own regional defaults. */
  awsStsEndpoint?: string;
  awsIamEndpoint?: string;
  google?: IntegrationOAuthApp & { authorizationEndpoint: string; tokenEndpoint: string; apiBase: string };
  okta?: IntegrationOAuthApp;
  entra?: IntegrationOAuthApp & { loginBase: string; graphBase: string };
  /** Whether Okta org URLs (and the overrides above) may be loopback or http:// (development and tests only). */
  allowLocalEndpoints: boolean;
  /** A sync ends `timed_out` after this many seconds (INTEGRATION_SYNC_TIMEOUT_SECONDS, default 300). */
  syncTimeoutSeconds: number;
  /** A sync stores at most this many resources per type and ends `partial` (INTEGRATION_RESOURCE_LIMIT, default 5000). */
  resourceLimit: number;
}

export interface Config {
  env: "development" | "test" | "production";
  isProduction: boolean;
  databaseUrl: string;
  /** Public origin of the app, no trailing slash (e.g. `https://gatehouse.example.com`). */
  appUrl: string;
  /** Whether cookies get `Secure` and the `__Secure-` prefix (true when appUrl is https). */
  secureCookies: boolean;
  authSecret: string;
  /**
   * iron-session passwords for the portal cookie, by id: the highest id seals, every id unseals (rotation).
   * PORTAL_SESSION_PASSWORD is one password, or JSON such as `{"2":"new…","1":"old…"}`.
   */
  portalSessionPasswords: Record<string, string>;
  google?: OidcProviderConfig;
  entra?: OidcProviderConfig;
  github?: GitHubProviderConfig;
  sessions: SessionLifetimes;
  /**
   * The local OpenID Connect issuer that plays Google and Entra: outside production, or in a production build
   * only under GATEHOUSE_TEST_LOCAL_IDP=1 with loopback URLs (lib/auth/test-local-idp.ts).
   */
  localIdpUrl?: string;
  /** Lower-cased emails that become admins at first sign-in. */
  adminEmails: string[];
  /** Whether personal accounts (gmail.com without `hd`, the Entra consumer tenant) may sign up. */
  allowPersonalAccounts: boolean;
  /** SMTP server for outgoing mail; unset outside production means mail stays in the outbox (visible to admins). */
  smtpUrl?: string;
  mailFrom: string;
  /** False only for local debugging of the MCP server (refused in production). */
  requireMcpAuth: boolean;
  /**
   * Browser origins besides Gatehouse's own whose requests `/api/mcp` serves (MCP_ALLOWED_ORIGINS, comma-separated
   * `https://host[:port]`). A request with any other `Origin` is refused with 403 (DNS rebinding, MCP 2025-11-25
   * transport §"Security Warning"); requests without `Origin` (non-browser clients) pass.
   */
  mcpAllowedOrigins: string[];
  /**
   * Whether Client ID Metadata Documents may live on loopback or private addresses, and on http:// loopback URLs:
   * development and tests only (never in production, except the e2e layer's GATEHOUSE_TEST_LOCAL_IDP switch).
   */
  allowPrivateClientMetadata: boolean;
  logLevel: string;
  rateLimits: RateLimits;
  /**
   * How many reverse proxies in front of Gatehouse append to `X-Forwarded-For` (TRUSTED_PROXY_HOPS, default 0:
   * the header is ignored and the TCP peer is the client). See lib/rate-limit/client-ip.ts.
   */
  trustedProxyHops: number;
  /** Days a client-portal link lives unless the partner picks another lifetime (PORTAL_LINK_TTL_DAYS, 1..365, default 30). */
  portalLinkTtlDays: number;
  /**
   * Days an API key lives when its creator names no lifetime (API_KEY_DEFAULT_TTL_DAYS, 1..365, default 90). A key
   * that never expires must be asked for explicitly (`expires_in_days: "never"`).
   */
  apiKeyDefaultTtlDays: number;
  integrations: IntegrationsConfig;
  /** Insecure defaults that were filled in (development and test only), and the production test switch. */
  warnings: string[];
}

/** Thrown when the environment is invalid; the message names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses and validates the environment.
 *
 * @param env a process.env-like record (defaults to `process.env`)
 * @returns the validated configuration
 * @throws ConfigError naming each invalid or missing variable (production refuses insecure defaults)
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "environment"}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";
  const problems: string[] = [];
  const warnings: string[] = [];

  const secret = (name: "AUTH_SECRET" | "PORTAL_SESSION_PASSWORD", value: string | undefined, fallback: string) => {
    if (value && value.length >= MIN_SECRET_LENGTH) return value;
    if (isProduction) {
      problems.push(
        value
          ? `  ${name}: must be at least ${MIN_SECRET_LENGTH} characters (got ${value.length}); generate one with \`openssl rand -base64 48\``
          : `  ${name}: is required in production; generate one with \`openssl rand -base64 48\``,
      );
      return "";
    }
    warnings.push(`${name} is ${value ? "shorter than 32 characters" : "unset"}: using an insecure development default`);
    return fallback;
  };
  const authSecret = secret("AUTH_SECRET", e.AUTH_SECRET, DEV_AUTH_SECRET);
  const portalSessionPasswords = portalPasswords(e.PORTAL_SESSION_PASSWORD, isProduction, problems, warnings);

  // The e2e layer's production build signs in through the local issuer: only with the explicit switch AND loopback
  // AUTH_URL and LOCAL_IDP_URL (lib/auth/test-local-idp.ts); any other combination refuses to start.
  const switchProblems = testLocalIdpProblems({ GATEHOUSE_TEST_LOCAL_IDP: e.GATEHOUSE_TEST_LOCAL_IDP, LOCAL_IDP_URL: e.LOCAL_IDP_URL, AUTH_URL: e.AUTH_URL });
  const testLocalIdp = isProduction && e.GATEHOUSE_TEST_LOCAL_IDP !== undefined;
  if (isProduction) problems.push(...switchProblems.map((p) => `  ${p}`));
  const testLocalIdpOn = testLocalIdp && switchProblems.length === 0;
  if (testLocalIdpOn) warnings.push(`${TEST_LOCAL_IDP_VARIABLE}=1: production build signing in through the LOCAL TEST ISSUER ${e.LOCAL_IDP_URL} (anyone can sign in as anyone; loopback tests only)`);
  if (isProduction && !e.AUTH_URL) problems.push("  AUTH_URL: is required in production (the public https:// origin)");
  if (isProduction && e.AUTH_URL?.startsWith("http://") && !testLocalIdpOn) {
    problems.push("  AUTH_URL: must be https:// in production");
  }
  if (isProduction && e.LOCAL_IDP_URL && !testLocalIdp) {
    problems.push(`  LOCAL_IDP_URL: the local test identity provider is never enabled in production; unset it (only the e2e tests set ${TEST_LOCAL_IDP_VARIABLE}=1, with loopback URLs)`);
  }
  if (isProduction && e.REQUIRE_MCP_AUTH === "false") problems.push("  REQUIRE_MCP_AUTH: false is for local debugging only and is refused in production");
  if (!isProduction && e.REQUIRE_MCP_AUTH === "false") warnings.push("REQUIRE_MCP_AUTH=false: the MCP endpoint accepts UNAUTHENTICATED requests (local debugging only)");
  if (isProduction && !e.SMTP_URL) problems.push("  SMTP_URL: is required in production (signup and approval emails)");
  if (e.SMTP_URL && !/^smtps?:\/\//.test(e.SMTP_URL)) problems.push("  SMTP_URL: must be an smtp:// or smtps:// URL");
  const appUrl = (e.AUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");

  let google: OidcProviderConfig | undefined;
  let entra: OidcProviderConfig | undefined;
  const localIdpUrl = isProduction && !testLocalIdpOn ? undefined : e.LOCAL_IDP_URL?.replace(/\/+$/, "");
  if (localIdpUrl) {
    // The local issuer's clients (scripts/lib/local-idp.ts) stand in for both providers outside production.
    google = { ...LOCAL_IDP_CLIENTS.google, issuer: `${localIdpUrl}/google` };
    entra = { ...LOCAL_IDP_CLIENTS.entra, issuer: `${localIdpUrl}/entra/v2.0` };
  } else {
    const pair = (idName: string, id?: string, secretName?: string, clientSecret?: string) => {
      if (Boolean(id) !== Boolean(clientSecret)) problems.push(`  ${id ? secretName : idName}: must be set together with ${id ? idName : secretName}`);
      return id && clientSecret ? { clientId: id, clientSecret } : undefined;
    };
    const g = pair("AUTH_GOOGLE_ID", e.AUTH_GOOGLE_ID, "AUTH_GOOGLE_SECRET", e.AUTH_GOOGLE_SECRET);
    if (g) google = { ...g, issuer: "https://accounts.google.com" };
    const m = pair("AUTH_MICROSOFT_ENTRA_ID_ID", e.AUTH_MICROSOFT_ENTRA_ID_ID, "AUTH_MICROSOFT_ENTRA_ID_SECRET", e.AUTH_MICROSOFT_ENTRA_ID_SECRET);
    // "organizations": any work or school tenant, never personal Microsoft accounts.
    if (m) entra = { ...m, issuer: e.AUTH_MICROSOFT_ENTRA_ID_ISSUER ?? "https://login.microsoftonline.com/organizations/v2.0" };
    if (isProduction && !google && !entra) {
      problems.push("  AUTH_GOOGLE_ID/AUTH_GOOGLE_SECRET or AUTH_MICROSOFT_ENTRA_ID_ID/AUTH_MICROSOFT_ENTRA_ID_SECRET: configure at least one sign-in provider");
    }
  }
  const github = githubConfig(e, { isProduction, localIdpUrl, testLocalIdpOn }, problems);
  const sessions = { maxLifetimeHours: e.SESSION_MAX_LIFETIME_HOURS ?? 168, idleHours: e.SESSION_IDLE_HOURS ?? 12 };
  if (sessions.idleHours > sessions.maxLifetimeHours) problems.push("  SESSION_IDLE_HOURS: must not exceed SESSION_MAX_LIFETIME_HOURS");
  const mcpAllowedOrigins = (e.MCP_ALLOWED_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const origin of mcpAllowedOrigins) {
    let ok = false;
    try {
      const url = new URL(origin);
      ok = url.origin === origin && (url.protocol === "https:" || (!isProduction && url.protocol === "http:"));
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`  MCP_ALLOWED_ORIGINS: ${origin.slice(0, 80)} is not an origin (https://host[:port], no path${isProduction ? "; https only in production" : ""})`);
  }
  const integrations = integrationsConfig(e, { isProduction, testLocalIdpOn }, problems, warnings);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);

  return {
    integrations,
    env: e.NODE_ENV,
    isProduction,
    databaseUrl: e.DATABASE_URL,
    appUrl,
    secureCookies: appUrl.startsWith("https://"),
    authSecret,
    portalSessionPasswords,
    google,
    entra,
    github,
    sessions,
    localIdpUrl,
    adminEmails: (e.ADMIN_EMAILS ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    allowPersonalAccounts: e.ALLOW_PERSONAL_ACCOUNTS === "true",
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? "Gatehouse <no-reply@gatehouse.invalid>",
    requireMcpAuth: e.REQUIRE_MCP_AUTH !== "false",
    mcpAllowedOrigins,
    allowPrivateClientMetadata: !isProduction || testLocalIdpOn,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === "test" ? "warn" : "info"),
    rateLimits: {
      tokenPerMinute: e.RATE_LIMIT_TOKEN_PER_MINUTE ?? 600,
      signInPerMinute: e.RATE_LIMIT_SIGN_IN_PER_MINUTE ?? 60,
      clientExchangePerMinute: e.RATE_LIMIT_CLIENT_EXCHANGE_PER_MINUTE ?? 30,
      portalEnterPerMinute: e.RATE_LIMIT_PORTAL_ENTER_PER_MINUTE ?? 20,
      portalEmailsPerHour: e.RATE_LIMIT_PORTAL_EMAILS_PER_HOUR ?? 50,
      clientRegistrationsPerHour: e.RATE_LIMIT_CLIENT_REGISTRATION_PER_HOUR ?? 20,
    },
    trustedProxyHops: e.TRUSTED_PROXY_HOPS ?? 0,
    portalLinkTtlDays: e.PORTAL_LINK_TTL_DAYS ?? 30,
    apiKeyDefaultTtlDays: e.API_KEY_DEFAULT_TTL_DAYS ?? 90,
    warnings,
  };
}

/**
 * GitHub sign-in: AUTH_GITHUB_ID/AUTH_GITHUB_SECRET against github.com (or AUTH_GITHUB_URL/AUTH_GITHUB_API_URL for
 * GitHub Enterprise). Wherever the local issuer is allowed, LOCAL_GITHUB_URL points it at the local emulator
 * (scripts/lib/local-github.ts) with fixed public credentials; a production build accepts that only under the test
 * switch, with a loopback http:// URL.
 */
function githubConfig(
  e: { AUTH_GITHUB_ID?: string; AUTH_GITHUB_SECRET?: string; AUTH_GITHUB_URL?: string; AUTH_GITHUB_API_URL?: string; LOCAL_GITHUB_URL?: string },
  mode: { isProduction: boolean; localIdpUrl?: string; testLocalIdpOn: boolean },
  problems: string[],
): GitHubProviderConfig | undefined {
  if (e.LOCAL_GITHUB_URL) {
    if (mode.isProduction && !(mode.testLocalIdpOn && isLoopbackUrl(e.LOCAL_GITHUB_URL, ["http:"]))) {
      problems.push(`  LOCAL_GITHUB_URL: the local GitHub emulator is never enabled in production (only under ${TEST_LOCAL_IDP_VARIABLE}=1, with a loopback http:// URL)`);
      return undefined;
    }
    const url = e.LOCAL_GITHUB_URL.replace(/\/+$/, "");
    return { ...LOCAL_GITHUB_CLIENT, webUrl: url, apiUrl: `${url}/api` };
  }
  if (Boolean(e.AUTH_GITHUB_ID) !== Boolean(e.AUTH_GITHUB_SECRET)) {
    problems.push(`  ${e.AUTH_GITHUB_ID ? "AUTH_GITHUB_SECRET" : "AUTH_GITHUB_ID"}: must be set together with ${e.AUTH_GITHUB_ID ? "AUTH_GITHUB_ID" : "AUTH_GITHUB_SECRET"}`);
    return undefined;
  }
  if (!e.AUTH_GITHUB_ID || !e.AUTH_GITHUB_SECRET) return undefined;
  return {
    clientId: e.AUTH_GITHUB_ID,
    clientSecret: e.AUTH_GITHUB_SECRET,
    webUrl: (e.AUTH_GITHUB_URL ?? "https://github.com").replace(/\/+$/, ""),
    apiUrl: (e.AUTH_GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
  };
}

/** Parses PORTAL_SESSION_PASSWORD: one password, or a JSON map of numbered passwords for rotation. */
function portalPasswords(value: string | undefined, isProduction: boolean, problems: string[], warnings: string[]): Record<string, string> {
  const name = "PORTAL_SESSION_PASSWORD";
  let passwords: Record<string, string> | undefined;
  if (value?.startsWith("{")) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && Object.entries(parsed).every(([k, v]) => /^\d+$/.test(k) && typeof v === "string")) {
        passwords = parsed as Record<string, string>;
      }
    } catch {
      // reported below
    }
    if (!passwords || Object.keys(passwords).length === 0) {
      problems.push(`  ${name}: must be a password or JSON like {"2":"<new>","1":"<old>"}`);
      return {};
    }
  } else if (value) {
    passwords = { "1": value };
  }
  const weak = passwords ? Object.entries(passwords).filter(([, v]) => v.length < MIN_SECRET_LENGTH) : [];
  if (passwords && weak.length === 0) return passwords;
  if (isProduction) {
    problems.push(
      passwords
        ? `  ${name}: must be at least ${MIN_SECRET_LENGTH} characters (got ${weak[0]![1].length})`
        : `  ${name}: is required in production; generate one with \`openssl rand -base64 48\``,
    );
    return {};
  }
  warnings.push(`${name} is ${passwords ? "shorter than 32 characters" : "unset"}: using an insecure development default`);
  return { "1": DEV_PORTAL_SESSION_PASSWORD };
}

const globalForConfig = globalThis as unknown as { gatehouseConfig?: Config };

/**
 * The process-wide configuration, parsed on first use; development warnings are printed once.
 * @throws ConfigError when the environment is invalid
 */
export function getConfig(): Config {
  // Cached on globalThis: Next.js may evaluate this module once per route bundle, and the warnings should print once.
  if (!globalForConfig.gatehouseConfig) {
    globalForConfig.gatehouseConfig = loadConfig();
    for (const warning of globalForConfig.gatehouseConfig.warnings) console.warn(`[gatehouse] warning: ${warning}`);
  }
  return globalForConfig.gatehouseConfig;
}

/** Drops the cached configuration so the next getConfig() re-reads the environment (tests only). */
export function resetConfigForTests(): void {
  delete globalForConfig.gatehouseConfig;
}

const DEV_INTEGRATION_MASTER_KEY = "gatehouse-development-integration-master-key-not-for-production";

/** Whether `url` points at this machine or a private network (refused for integration endpoints in production). */
function isLocalEndpoint(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol !== "https:" || isLoopbackUrl(url) || /^(10|127|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(hostname) || hostname === "localhost";
}

/** Integrations: master keys, the AWS principal, the directory providers' OAuth apps and their endpoints. */
function integrationsConfig(
  e: z.infer<typeof envSchema>,
  flags: { isProduction: boolean; testLocalIdpOn: boolean },
  problems: string[],
  warnings: string[],
): IntegrationsConfig {
  const allowLocalEndpoints = !flags.isProduction || flags.testLocalIdpOn;
  const masterKeys: Record<string, Buffer> = {};
  const raw = e.INTEGRATION_MASTER_KEYS;
  if (!raw) {
    if (flags.isProduction) problems.push("  INTEGRATION_MASTER_KEYS: is required in production (integration credentials are encrypted under it); generate one with `openssl rand -base64 32`");
    else {
      warnings.push("INTEGRATION_MASTER_KEYS is unset: integration credentials use an insecure development key");
      masterKeys["1"] = Buffer.from(hkdfSync("sha256", DEV_INTEGRATION_MASTER_KEY, "gatehouse", "dev-master-key", 32));
    }
  } else {
    let entries: [string, unknown][];
    try {
      entries = raw.startsWith("{") ? Object.entries(JSON.parse(raw) as Record<string, unknown>) : [["1", raw]];
    } catch {
      entries = [];
    }
    for (const [id, value] of entries) {
      const key = typeof value === "string" && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, "base64") : Buffer.alloc(0);
      if (/^[1-9]\d{0,5}$/.test(id) && key.length >= 32) masterKeys[id] = key;
      else problems.push(`  INTEGRATION_MASTER_KEYS: key ${JSON.stringify(id.slice(0, 12))} must have a numeric id and at least 32 bytes of base64`);
    }
    if (entries.length === 0) problems.push('  INTEGRATION_MASTER_KEYS: must be base64 (32+ bytes) or JSON like {"2":"<new>","1":"<old>"}');
  }
  const currentKeyId = Object.keys(masterKeys).sort((a, b) => Number(b) - Number(a))[0] ?? "1";

  const endpoint = (name: string, value: string | undefined) => {
    if (value && flags.isProduction && !allowLocalEndpoints && isLocalEndpoint(value)) {
      problems.push(`  ${name}: must be a public https:// URL in production (the local emulators are for development and tests)`);
    }
    return value?.replace(/\/+$/, "");
  };
  const app = (prefix: "GOOGLE" | "OKTA" | "ENTRA"): IntegrationOAuthApp | undefined => {
    const clientId = e[`INTEGRATION_${prefix}_CLIENT_ID`];
    const clientSecret = e[`INTEGRATION_${prefix}_CLIENT_SECRET`];
    if (Boolean(clientId) !== Boolean(clientSecret)) problems.push(`  INTEGRATION_${prefix}_CLIENT_ID and INTEGRATION_${prefix}_CLIENT_SECRET: must be set together`);
    return clientId && clientSecret ? { clientId, clientSecret } : undefined;
  };
  const googleUrl = endpoint("INTEGRATION_GOOGLE_URL", e.INTEGRATION_GOOGLE_URL);
  const entraUrl = endpoint("INTEGRATION_ENTRA_URL", e.INTEGRATION_ENTRA_URL);
  const googleApp = app("GOOGLE");
  const entraApp = app("ENTRA");
  const awsPrincipalArn = e.AWS_INTEGRATION_PRINCIPAL_ARN;
  if (awsPrincipalArn && !/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]{1,512}$/.test(awsPrincipalArn)) {
    problems.push("  AWS_INTEGRATION_PRINCIPAL_ARN: must be an IAM role or user ARN (arn:aws:iam::<12 digits>:role/<name>)");
  }
  return {
    masterKeys,
    currentKeyId,
    awsPrincipalArn,
    awsRegion: e.AWS_REGION ?? "us-east-1",
    awsStsEndpoint: endpoint("AWS_STS_ENDPOINT", e.AWS_STS_ENDPOINT),
    awsIamEndpoint: endpoint("AWS_IAM_ENDPOINT", e.AWS_IAM_ENDPOINT),
    google: googleApp && {
      ...googleApp,
      authorizationEndpoint: googleUrl ? `${googleUrl}/o/oauth2/v2/auth` : "https://accounts.google.com/o/oauth2/v2/auth",
      tokenEndpoint: googleUrl ? `${googleUrl}/token` : "https://oauth2.googleapis.com/token",
      apiBase: googleUrl ?? "https://admin.googleapis.com",
    },
    okta: app("OKTA"),
    entra: entraApp && { ...entraApp, loginBase: entraUrl ?? "https://login.microsoftonline.com", graphBase: entraUrl ? `${entraUrl}/graph` : "https://graph.microsoft.com" },
    allowLocalEndpoints,
    syncTimeoutSeconds: e.INTEGRATION_SYNC_TIMEOUT_SECONDS ?? 300,
    resourceLimit: e.INTEGRATION_RESOURCE_LIMIT ?? 5000,
  };
}
