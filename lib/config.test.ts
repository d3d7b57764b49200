import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@/lib/config";

const DB = "postgresql://u:p@127.0.0.1:5432/gatehouse";
const STRONG = "x".repeat(40);
const production = {
  NODE_ENV: "production",
  DATABASE_URL: DB,
  AUTH_URL: "https://gatehouse.example.com",
  AUTH_SECRET: STRONG,
  PORTAL_SESSION_PASSWORD: STRONG,
  AUTH_GOOGLE_ID: "id",
  AUTH_GOOGLE_SECRET: "secret",
  SMTP_URL: "smtp://mail.example.com:587",
  INTEGRATION_MASTER_KEYS: Buffer.alloc(32, 7).toString("base64"),
};

function errorOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig", () => {
  it("accepts a complete production configuration", () => {
    const config = loadConfig(production);
    expect(config.isProduction).toBe(true);
    expect(config.secureCookies).toBe(true);
    expect(config.google?.issuer).toBe("https://accounts.google.com");
    expect(config.warnings).toEqual([]);
  });

  describe("integrations", () => {
    const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");

    it("refuses production without INTEGRATION_MASTER_KEYS, and keys shorter than 32 bytes or without a numeric id", () => {
      expect(errorOf({ ...production, INTEGRATION_MASTER_KEYS: undefined })).toMatch(/INTEGRATION_MASTER_KEYS: is required in production/);
      expect(errorOf({ ...production, INTEGRATION_MASTER_KEYS: Buffer.alloc(16).toString("base64") })).toMatch(/INTEGRATION_MASTER_KEYS: key "1" must have a numeric id and at least 32 bytes/);
      expect(errorOf({ ...production, INTEGRATION_MASTER_KEYS: JSON.stringify({ current: key(1) }) })).toMatch(/INTEGRATION_MASTER_KEYS: key "current"/);
    });

    it("encrypts under the highest key id and keeps the others for decryption", () => {
      const config = loadConfig({ ...production, INTEGRATION_MASTER_KEYS: JSON.stringify({ "2": key(2), "10": key(10), "1": key(1) }) });
      expect(config.integrations.currentKeyId).toBe("10");
      expect(Object.keys(config.integrations.masterKeys).sort()).toEqual(["1", "10", "2"]);
    });

    it("uses the providers' production endpoints by default and refuses loopback or http overrides in production", () => {
      const config = loadConfig({ ...production, INTEGRATION_GOOGLE_CLIENT_ID: "g", INTEGRATION_GOOGLE_CLIENT_SECRET: "s", INTEGRATION_ENTRA_CLIENT_ID: "e", INTEGRATION_ENTRA_CLIENT_SECRET: "s" });
      expect(config.integrations.google).toMatchObject({ authorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth", tokenEndpoint: "https://oauth2.googleapis.com/token", apiBase: "https://admin.googleapis.com" });
      expect(config.integrations.entra).toMatchObject({ loginBase: "https://login.microsoftonline.com", graphBase: "https://graph.microsoft.com" });
      expect(config.integrations.awsStsEndpoint).toBeUndefined();
      expect(config.integrations.allowLocalEndpoints).toBe(false);
      for (const [name, value] of [
        ["INTEGRATION_GOOGLE_URL", "http://127.0.0.1:4000/google"],
        ["INTEGRATION_ENTRA_URL", "https://localhost/entra"],
        ["AWS_STS_ENDPOINT", "http://sts.example.com"],
        ["AWS_IAM_ENDPOINT", "https://10.0.0.5/iam"],
      ]) {
        expect(errorOf({ ...production, [name!]: value })).toContain(`${name}: must be a public https:// URL in production`);
      }
    });

    it("offers AWS only with a well-formed principal ARN, and needs each OAuth app's id and secret together", () => {
      expect(loadConfig(production).integrations.awsPrincipalArn).toBeUndefined();
      expect(errorOf({ ...production, AWS_INTEGRATION_PRINCIPAL_ARN: "gatehouse" })).toMatch(/AWS_INTEGRATION_PRINCIPAL_ARN: must be an IAM role or user ARN/);
      expect(errorOf({ ...production, INTEGRATION_OKTA_CLIENT_ID: "id" })).toMatch(/INTEGRATION_OKTA_CLIENT_ID and INTEGRATION_OKTA_CLIENT_SECRET: must be set together/);
    });

    it("fills a development master key outside production and says so", () => {
      const config = loadConfig({ NODE_ENV: "development", DATABASE_URL: DB });
      expect(config.integrations.masterKeys["1"]).toHaveLength(32);
      expect(config.warnings.join("\n")).toMatch(/INTEGRATION_MASTER_KEYS is unset/);
    });
  });

  it("refuses to start in production without AUTH_SECRET, naming the variable", () => {
    expect(errorOf({ ...production, AUTH_SECRET: undefined })).toMatch(/AUTH_SECRET: is required in production/);
  });

  it("refuses a portal session password shorter than 32 characters in production", () => {
    expect(errorOf({ ...production, PORTAL_SESSION_PASSWORD: "short" })).toMatch(/PORTAL_SESSION_PASSWORD: must be at least 32 characters \(got 5\)/);
  });

  it("accepts numbered portal passwords for rotation and checks each one", () => {
    const config = loadConfig({ ...production, PORTAL_SESSION_PASSWORD: JSON.stringify({ "2": STRONG, "1": "y".repeat(32) }) });
    expect(config.portalSessionPasswords).toEqual({ "2": STRONG, "1": "y".repeat(32) });
    expect(errorOf({ ...production, PORTAL_SESSION_PASSWORD: JSON.stringify({ "2": STRONG, "1": "old" }) })).toMatch(/PORTAL_SESSION_PASSWORD: must be at least 32 characters \(got 3\)/);
    expect(errorOf({ ...production, PORTAL_SESSION_PASSWORD: "{not json" })).toMatch(/PORTAL_SESSION_PASSWORD: must be a password or JSON/);
  });

  it("refuses REQUIRE_MCP_AUTH=false in production and warns loudly in development", () => {
    expect(errorOf({ ...production, REQUIRE_MCP_AUTH: "false" })).toMatch(/REQUIRE_MCP_AUTH: false is for local debugging only/);
    const config = loadConfig({ NODE_ENV: "development", DATABASE_URL: DB, REQUIRE_MCP_AUTH: "false" });
    expect(config.requireMcpAuth).toBe(false);
    expect(config.warnings.join("\n")).toMatch(/UNAUTHENTICATED/);
    expect(loadConfig({ NODE_ENV: "development", DATABASE_URL: DB }).requireMcpAuth).toBe(true);
  });

  it("refuses the local test identity provider in production", () => {
    expect(errorOf({ ...production, LOCAL_IDP_URL: "http://127.0.0.1:4010" })).toMatch(/LOCAL_IDP_URL: .*never enabled in production/);
  });

  describe("GATEHOUSE_TEST_LOCAL_IDP (the e2e layer's production build)", () => {
    const e2e = { ...production, AUTH_GOOGLE_ID: undefined, AUTH_GOOGLE_SECRET: undefined, GATEHOUSE_TEST_LOCAL_IDP: "1", AUTH_URL: "http://localhost:3100", LOCAL_IDP_URL: "http://127.0.0.1:4010/" };

    it("lets a production build use the local issuer when the switch is 1 and both URLs are loopback", () => {
      const config = loadConfig(e2e);
      expect(config.isProduction).toBe(true);
      expect(config.localIdpUrl).toBe("http://127.0.0.1:4010");
      expect(config.google?.issuer).toBe("http://127.0.0.1:4010/google");
      expect(config.entra?.issuer).toBe("http://127.0.0.1:4010/entra/v2.0");
      expect(config.secureCookies).toBe(false);
      expect(config.warnings.join("\n")).toMatch(/GATEHOUSE_TEST_LOCAL_IDP=1: .*LOCAL TEST ISSUER/);
      for (const [authUrl, idpUrl] of [
        ["http://127.0.0.1:3000", "http://localhost:4010"],
        ["https://localhost", "http://[::1]:4010"],
        ["http://127.8.9.10:3000", "http://127.0.0.2:4010"],
      ]) {
        expect(loadConfig({ ...e2e, AUTH_URL: authUrl, LOCAL_IDP_URL: idpUrl }).localIdpUrl).toBe(idpUrl);
      }
    });

    it("refuses the local issuer in production without the switch, or with any other value", () => {
      expect(errorOf({ ...e2e, GATEHOUSE_TEST_LOCAL_IDP: undefined })).toMatch(/LOCAL_IDP_URL: .*never enabled in production/);
      for (const value of ["true", "yes", "0", "11"]) {
        expect(errorOf({ ...e2e, GATEHOUSE_TEST_LOCAL_IDP: value })).toMatch(/GATEHOUSE_TEST_LOCAL_IDP: must be 1 or unset/);
      }
    });

    it("refuses to start when LOCAL_IDP_URL is missing, not http or not loopback, naming the switch", () => {
      for (const idpUrl of [undefined, "https://127.0.0.1:4010", "http://idp.example.com", "http://10.0.0.5:4010", "http://localhost.example.com", "http://127.0.0.1.nip.io", "http://user:pw@127.0.0.1:4010", "http://0.0.0.0:4010"]) {
        expect(errorOf({ ...e2e, LOCAL_IDP_URL: idpUrl })).toMatch(/GATEHOUSE_TEST_LOCAL_IDP=1 needs LOCAL_IDP_URL to be an http:\/\/ loopback URL/);
      }
    });

    it("refuses to start when AUTH_URL is a real (non-loopback) origin, naming the switch", () => {
      for (const authUrl of ["https://gatehouse.example.com", "http://gatehouse.example.com", "http://192.168.1.10:3000", "https://localhost.attacker.test"]) {
        expect(errorOf({ ...e2e, AUTH_URL: authUrl })).toMatch(/GATEHOUSE_TEST_LOCAL_IDP=1 needs AUTH_URL to be a loopback URL/);
      }
    });

    it("still refuses an http:// AUTH_URL in production without the switch, even on loopback", () => {
      expect(errorOf({ ...production, AUTH_URL: "http://localhost:3000" })).toMatch(/AUTH_URL: must be https/);
    });

    it("is ignored outside production (the local issuer needs no switch there)", () => {
      const config = loadConfig({ NODE_ENV: "development", DATABASE_URL: DB, GATEHOUSE_TEST_LOCAL_IDP: "yes", LOCAL_IDP_URL: "http://127.0.0.1:4010" });
      expect(config.localIdpUrl).toBe("http://127.0.0.1:4010");
    });
  });

  it("refuses http:// and missing AUTH_URL in production", () => {
    expect(errorOf({ ...production, AUTH_URL: "http://gatehouse.example.com" })).toMatch(/AUTH_URL: must be https/);
    expect(errorOf({ ...production, AUTH_URL: undefined })).toMatch(/AUTH_URL: is required in production/);
  });

  it("refuses production without any sign-in provider", () => {
    expect(errorOf({ ...production, AUTH_GOOGLE_ID: undefined, AUTH_GOOGLE_SECRET: undefined })).toMatch(/configure at least one sign-in provider/);
  });

  it("refuses production without SMTP_URL", () => {
    expect(errorOf({ ...production, SMTP_URL: undefined })).toMatch(/SMTP_URL: is required in production/);
  });

  it("names a missing or malformed DATABASE_URL", () => {
    expect(errorOf({ NODE_ENV: "development" })).toMatch(/DATABASE_URL: is required/);
    expect(errorOf({ NODE_ENV: "development", DATABASE_URL: "mysql://x" })).toMatch(/DATABASE_URL: must be a postgresql:\/\/ URL/);
  });

  it("fills insecure defaults in development and says so", () => {
    const config = loadConfig({ NODE_ENV: "development", DATABASE_URL: DB });
    expect(config.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.warnings).toEqual([
      expect.stringMatching(/^AUTH_SECRET is unset/),
      expect.stringMatching(/^PORTAL_SESSION_PASSWORD is unset/),
      expect.stringMatching(/^INTEGRATION_MASTER_KEYS is unset/),
    ]);
    expect(config.appUrl).toBe("http://localhost:3000");
    expect(config.secureCookies).toBe(false);
  });

  it("points both providers at the local issuer outside production", () => {
    const config = loadConfig({ NODE_ENV: "development", DATABASE_URL: DB, LOCAL_IDP_URL: "http://127.0.0.1:4010/" });
    expect(config.google?.issuer).toBe("http://127.0.0.1:4010/google");
    expect(config.entra?.issuer).toBe("http://127.0.0.1:4010/entra/v2.0");
  });

  it("requires a provider's id and secret together", () => {
    expect(errorOf({ NODE_ENV: "development", DATABASE_URL: DB, AUTH_GOOGLE_ID: "id" })).toMatch(/AUTH_GOOGLE_SECRET: must be set together with AUTH_GOOGLE_ID/);
  });

  it("parses ADMIN_EMAILS case-insensitively", () => {
    const config = loadConfig({ NODE_ENV: "development", DATABASE_URL: DB, ADMIN_EMAILS: " Admin@Fabrikam.test, ops@acme.test ," });
    expect(config.adminEmails).toEqual(["admin@fabrikam.test", "ops@acme.test"]);
  });

  it("parses MCP_ALLOWED_ORIGINS as exact origins (https only in production) and keeps private metadata documents out of production", () => {
    expect(loadConfig({ ...production, MCP_ALLOWED_ORIGINS: "https://app.example.com, https://ide.example.com:8443" }).mcpAllowedOrigins).toEqual(["https://app.example.com", "https://ide.example.com:8443"]);
    expect(errorOf({ ...production, MCP_ALLOWED_ORIGINS: "https://app.example.com/path" })).toMatch(/MCP_ALLOWED_ORIGINS: https:\/\/app.example.com\/path is not an origin/);
    expect(errorOf({ ...production, MCP_ALLOWED_ORIGINS: "http://app.example.com" })).toMatch(/MCP_ALLOWED_ORIGINS: .*https only in production/);
    expect(loadConfig(production).allowPrivateClientMetadata).toBe(false);
    expect(loadConfig({ NODE_ENV: "development", DATABASE_URL: DB }).allowPrivateClientMetadata).toBe(true);
  });

  it("has rate limits by default and accepts whole-number overrides, naming a bad one", () => {
    expect(loadConfig(production).rateLimits).toEqual({ tokenPerMinute: 600, signInPerMinute: 60, clientExchangePerMinute: 30, portalEnterPerMinute: 20, portalEmailsPerHour: 50, clientRegistrationsPerHour: 20 });
    expect(loadConfig({ ...production, RATE_LIMIT_PORTAL_EMAILS_PER_HOUR: "5" }).rateLimits.portalEmailsPerHour).toBe(5);
    expect(errorOf({ ...production, RATE_LIMIT_PORTAL_EMAILS_PER_HOUR: "0" })).toMatch(/RATE_LIMIT_PORTAL_EMAILS_PER_HOUR: must be a whole number per hour/);
    expect(loadConfig({ ...production, RATE_LIMIT_TOKEN_PER_MINUTE: "5000" }).rateLimits.tokenPerMinute).toBe(5000);
    for (const bad of ["0", "-3", "1.5", "lots"]) {
      expect(errorOf({ ...production, RATE_LIMIT_SIGN_IN_PER_MINUTE: bad })).toMatch(/RATE_LIMIT_SIGN_IN_PER_MINUTE: must be a whole number/);
    }
  });

  it("gives portal links 30 days by default and accepts PORTAL_LINK_TTL_DAYS from 1 to 365, naming a bad one", () => {
    expect(loadConfig(production).portalLinkTtlDays).toBe(30);
    expect(loadConfig({ ...production, PORTAL_LINK_TTL_DAYS: "7" }).portalLinkTtlDays).toBe(7);
    expect(loadConfig({ ...production, PORTAL_LINK_TTL_DAYS: "365" }).portalLinkTtlDays).toBe(365);
    for (const bad of ["0", "366", "-1", "1.5", "forever"]) {
      expect(errorOf({ ...production, PORTAL_LINK_TTL_DAYS: bad })).toMatch(/PORTAL_LINK_TTL_DAYS: must be a whole number of days from 1 to 365/);
    }
  });

  it("gives API keys 90 days by default and accepts API_KEY_DEFAULT_TTL_DAYS from 1 to 365, naming a bad one", () => {
    expect(loadConfig(production).apiKeyDefaultTtlDays).toBe(90);
    expect(loadConfig({ ...production, API_KEY_DEFAULT_TTL_DAYS: "30" }).apiKeyDefaultTtlDays).toBe(30);
    for (const bad of ["0", "366", "never", "1.5"]) {
      expect(errorOf({ ...production, API_KEY_DEFAULT_TTL_DAYS: bad })).toMatch(/API_KEY_DEFAULT_TTL_DAYS: must be a whole number of days from 1 to 365/);
    }
  });

  describe("GitHub sign-in and session lifetimes", () => {
    it("defaults GitHub to github.com and sessions to 168 h absolute, 12 h idle", () => {
      const config = loadConfig({ ...production, AUTH_GITHUB_ID: "gh-id", AUTH_GITHUB_SECRET: "gh-secret" });
      expect(config.github).toEqual({ clientId: "gh-id", clientSecret: "gh-secret", webUrl: "https://github.com", apiUrl: "https://api.github.com" });
      expect(config.sessions).toEqual({ maxLifetimeHours: 168, idleHours: 12 });
      expect(loadConfig({ ...production, SESSION_MAX_LIFETIME_HOURS: "24", SESSION_IDLE_HOURS: "2" }).sessions).toEqual({ maxLifetimeHours: 24, idleHours: 2 });
    });

    it("refuses a half-configured GitHub app, bad hours, and an idle lifetime above the absolute one", () => {
      expect(errorOf({ ...production, AUTH_GITHUB_ID: "gh-id" })).toMatch(/AUTH_GITHUB_SECRET: must be set together with AUTH_GITHUB_ID/);
      expect(errorOf({ ...production, SESSION_IDLE_HOURS: "0" })).toMatch(/SESSION_IDLE_HOURS: must be a whole number of hours/);
      expect(errorOf({ ...production, SESSION_MAX_LIFETIME_HOURS: "9000" })).toMatch(/SESSION_MAX_LIFETIME_HOURS/);
      expect(errorOf({ ...production, SESSION_MAX_LIFETIME_HOURS: "4", SESSION_IDLE_HOURS: "12" })).toMatch(/SESSION_IDLE_HOURS: must not exceed/);
    });

    it("uses the local GitHub emulator only where the local issuer is allowed (production: the loopback test switch)", () => {
      const e2e = { ...production, AUTH_GOOGLE_ID: undefined, AUTH_GOOGLE_SECRET: undefined, GATEHOUSE_TEST_LOCAL_IDP: "1", AUTH_URL: "http://localhost:3100", LOCAL_IDP_URL: "http://127.0.0.1:4010" };
      expect(loadConfig({ ...e2e, LOCAL_GITHUB_URL: "http://127.0.0.1:4020/" }).github).toMatchObject({ webUrl: "http://127.0.0.1:4020", apiUrl: "http://127.0.0.1:4020/api" });
      expect(errorOf({ ...production, LOCAL_GITHUB_URL: "http://127.0.0.1:4020" })).toMatch(/LOCAL_GITHUB_URL: .*never enabled in production/);
      expect(errorOf({ ...e2e, LOCAL_GITHUB_URL: "http://github.example.com" })).toMatch(/LOCAL_GITHUB_URL/);
      expect(loadConfig({ DATABASE_URL: DB, LOCAL_GITHUB_URL: "http://localhost:4020" }).github?.webUrl).toBe("http://localhost:4020");
    });
  });
});
