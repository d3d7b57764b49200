import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { oktaOrgUrl } from "@/lib/integrations/oauth";

const saved = { ...process.env };

function production() {
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: "postgresql://u:p@127.0.0.1:5432/g",
    AUTH_URL: "https://gatehouse.example.com",
    AUTH_SECRET: "x".repeat(40),
    PORTAL_SESSION_PASSWORD: "y".repeat(40),
    AUTH_GOOGLE_ID: "id",
    AUTH_GOOGLE_SECRET: "secret",
    SMTP_URL: "smtp://mail.example.com:587",
    INTEGRATION_MASTER_KEYS: Buffer.alloc(32, 1).toString("base64"),
  });
  resetConfigForTests();
}

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  resetConfigForTests();
});

describe("Okta org URLs (where Gatehouse sends its client secret)", () => {
  it("in production accepts only an org at Okta's own https domains", () => {
    production();
    expect(oktaOrgUrl("https://acme.okta.com/")).toBe("https://acme.okta.com");
    expect(oktaOrgUrl("https://acme.oktapreview.com")).toBe("https://acme.oktapreview.com");
    for (const refused of [
      "http://acme.okta.com",
      "https://okta.com.evil.example",
      "https://acme.okta.com:8443",
      "https://acme.okta.com/oauth2/default",
      "https://user:pass@acme.okta.com",
      "https://127.0.0.1/okta/acme",
      "https://login.acme.example",
      "not a url",
    ]) {
      expect(() => oktaOrgUrl(refused), refused).toThrow(/Okta domain/);
    }
  });

  it("outside production also accepts the local emulator's loopback URL, and still no other host", () => {
    Object.assign(process.env, { NODE_ENV: "development", DATABASE_URL: "postgresql://u:p@127.0.0.1:5432/g" });
    resetConfigForTests();
    expect(oktaOrgUrl("http://127.0.0.1:4000/okta/acme")).toBe("http://127.0.0.1:4000/okta/acme");
    expect(oktaOrgUrl("https://acme.okta.com")).toBe("https://acme.okta.com");
    for (const refused of ["http://169.254.169.254/latest", "https://attacker.example/okta", "http://10.0.0.5/okta/acme"]) {
      expect(() => oktaOrgUrl(refused), refused).toThrow(/Okta domain/);
    }
  });
});
