import { describe, expect, it } from "vitest";
import { acceptableRequestId, securityHeaders } from "@/lib/http/security-headers";

describe("securityHeaders", () => {
  const base = { nonce: "abc123", isDevelopment: false, isHttps: true, formActionOrigins: ["https://accounts.google.com"] };

  it("forbids framing and inline scripts without the request's nonce", () => {
    const csp = securityHeaders(base)["Content-Security-Policy"];
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("form-action 'self' https://accounts.google.com");
  });

  it("lets only the consent page redirect a form to an application and show its https logo; framing stays forbidden", () => {
    const csp = securityHeaders({ ...base, consentPage: true })["Content-Security-Policy"];
    expect(csp).not.toContain("form-action");
    expect(csp).toContain("img-src 'self' data: https:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(securityHeaders(base)["Content-Security-Policy"]).toContain("img-src 'self' data:;");
  });

  it("sends HSTS only over https", () => {
    expect(securityHeaders(base)["Strict-Transport-Security"]).toMatch(/max-age=\d+/);
    expect(securityHeaders({ ...base, isHttps: false })["Strict-Transport-Security"]).toBeUndefined();
  });

  it("keeps a sane upstream request id and refuses header injection", () => {
    expect(acceptableRequestId("req-1234abcd")).toBe("req-1234abcd");
    expect(acceptableRequestId("x\r\nSet-Cookie: a=b")).toBeNull();
    expect(acceptableRequestId("short")).toBeNull();
  });
});
