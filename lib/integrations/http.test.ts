import { describe, expect, it } from "vitest";
import { MAX_RETRY_WAIT_MS, nextLinkFromHeader, retryDelayMs } from "@/lib/integrations/http";

describe("nextLinkFromHeader (RFC 8288)", () => {
  it("finds rel=next among several links, quoted or not, with other parameters", () => {
    const header = '<https://acme.okta.com/api/v1/users?limit=200>; rel="self", <https://acme.okta.com/api/v1/users?after=00u1&limit=200>; rel="next"';
    expect(nextLinkFromHeader(header)).toBe("https://acme.okta.com/api/v1/users?after=00u1&limit=200");
    expect(nextLinkFromHeader('</page/2>; title="a, b; c"; rel=next')).toBe("/page/2");
    expect(nextLinkFromHeader('<https://x.test/2>; rel="prev next"')).toBe("https://x.test/2");
  });

  it("answers null without a next link", () => {
    expect(nextLinkFromHeader(null)).toBeNull();
    expect(nextLinkFromHeader('<https://acme.okta.com/api/v1/users>; rel="self"')).toBeNull();
    expect(nextLinkFromHeader('<https://x.test/next>; rel="nextpage"')).toBeNull();
  });
});

describe("retryDelayMs", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("honours Retry-After in seconds and as an HTTP date (against the response's Date)", () => {
    expect(retryDelayMs(new Headers({ "retry-after": "3" }), 0, now)).toBe(3000);
    const headers = new Headers({ date: "Thu, 01 Jan 2026 00:00:00 GMT", "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" });
    expect(retryDelayMs(headers, 0, now + 60_000)).toBe(5000);
  });

  it("waits for Okta's X-Rate-Limit-Reset (epoch seconds)", () => {
    const reset = String(now / 1000 + 7);
    expect(retryDelayMs(new Headers({ "x-rate-limit-reset": reset }), 0, now)).toBe(7000);
    expect(retryDelayMs(new Headers({ "x-rate-limit-reset": String(now / 1000 - 5) }), 0, now)).toBe(0);
  });

  it("backs off exponentially without headers and never waits more than the cap", () => {
    expect(retryDelayMs(new Headers(), 0, now)).toBe(1000);
    expect(retryDelayMs(new Headers(), 2, now)).toBe(4000);
    expect(retryDelayMs(new Headers(), 10, now)).toBe(MAX_RETRY_WAIT_MS);
    expect(retryDelayMs(new Headers({ "retry-after": "86400" }), 0, now)).toBe(MAX_RETRY_WAIT_MS);
  });
});
