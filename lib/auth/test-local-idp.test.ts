import { describe, expect, it } from "vitest";
import { isLoopbackUrl, testLocalIdpEnabled } from "@/lib/auth/test-local-idp";

describe("isLoopbackUrl", () => {
  it("accepts localhost, 127.0.0.0/8 and [::1], including forms the URL parser normalises to them", () => {
    for (const url of ["http://localhost:3000", "http://127.0.0.1", "https://127.255.0.1:8443/x", "http://[::1]:4010", "http://127.1:4010", "http://0x7f.0.0.1/"]) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
  });

  it("refuses other hosts, credentials, other schemes and garbage", () => {
    for (const url of [undefined, "", "not a url", "http://0.0.0.0", "http://128.0.0.1", "http://localhost.example.com", "http://127.0.0.1.example.com", "http://[::ffff:127.0.0.1]", "http://a:b@localhost", "ftp://localhost", "file:///etc/passwd"]) {
      expect(isLoopbackUrl(url), String(url)).toBe(false);
    }
    expect(isLoopbackUrl("https://localhost", ["http:"])).toBe(false);
  });
});

describe("testLocalIdpEnabled (what middleware.ts allows in CSP form-action)", () => {
  const on = { GATEHOUSE_TEST_LOCAL_IDP: "1", LOCAL_IDP_URL: "http://127.0.0.1:4010", AUTH_URL: "http://localhost:3000" };
  it("is on only with the switch and both URLs on loopback", () => {
    expect(testLocalIdpEnabled(on)).toBe(true);
    expect(testLocalIdpEnabled({ ...on, GATEHOUSE_TEST_LOCAL_IDP: undefined })).toBe(false);
    expect(testLocalIdpEnabled({ ...on, GATEHOUSE_TEST_LOCAL_IDP: "true" })).toBe(false);
    expect(testLocalIdpEnabled({ ...on, AUTH_URL: "https://gatehouse.example.com" })).toBe(false);
    expect(testLocalIdpEnabled({ ...on, LOCAL_IDP_URL: "http://idp.example.com" })).toBe(false);
  });
});
