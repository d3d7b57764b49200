import { describe, expect, it } from "vitest";
import { isSameOrigin } from "@/lib/http/csrf";

const APP = "https://gatehouse.example.com";
const check = (headers: Record<string, string>) => isSameOrigin(new Headers(headers), APP);

describe("the CSRF rule", () => {
  it("accepts the public origin, or the origin the request was addressed to", () => {
    expect(check({ origin: APP })).toBe(true);
    expect(check({ origin: "http://localhost:3000", host: "localhost:3000", "x-forwarded-proto": "http" })).toBe(true);
  });

  it("refuses foreign, downgraded and look-alike origins", () => {
    expect(check({ origin: "https://evil.example", host: "gatehouse.example.com", "x-forwarded-proto": "https" })).toBe(false);
    expect(check({ origin: "http://gatehouse.example.com", host: "gatehouse.example.com", "x-forwarded-proto": "https" })).toBe(false);
    expect(check({ origin: `${APP}.evil.example` })).toBe(false);
  });

  it("decides by Sec-Fetch-Site without an Origin or with Origin: null (a no-referrer page's POST)", () => {
    expect(check({ origin: "null", "sec-fetch-site": "same-origin" })).toBe(true);
    expect(check({ "sec-fetch-site": "same-origin" })).toBe(true);
    expect(check({ origin: "null" })).toBe(false);
    expect(check({ origin: "null", "sec-fetch-site": "cross-site" })).toBe(false);
    expect(check({ "sec-fetch-site": "same-site" })).toBe(false);
    expect(check({})).toBe(false);
  });
});
