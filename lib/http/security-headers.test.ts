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
