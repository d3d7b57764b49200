import { afterEach, describe, expect, it } from "vitest";
import { clientIp, PEER_APPENDED_ENV } from "@/lib/rate-limit/client-ip";

const request = (forwardedFor?: string) => ({ headers: new Headers(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }) });

describe("clientIp", () => {
  afterEach(() => {
    delete process.env[PEER_APPENDED_ENV];
  });

  it("with no trusted proxy, is the TCP peer the server entry appended, whatever the client wrote before it", () => {
    process.env[PEER_APPENDED_ENV] = "1";
    expect(clientIp(request("6.6.6.6, 7.7.7.7, 203.0.113.9"), 0)).toBe("203.0.113.9");
    expect(clientIp(request("203.0.113.9"), 0)).toBe("203.0.113.9");
  });

  it("with one trusted proxy, is the address that proxy saw (the entry before the proxy's own connection)", () => {
    process.env[PEER_APPENDED_ENV] = "1";
    // client wrote 6.6.6.6; the proxy appended the client's real address; Gatehouse appended the proxy's.
    expect(clientIp(request("6.6.6.6, 198.51.100.4, 10.0.0.2"), 1)).toBe("198.51.100.4");
  });

  it("never indexes past the start of the list", () => {
    process.env[PEER_APPENDED_ENV] = "1";
    expect(clientIp(request("10.0.0.2"), 3)).toBe("10.0.0.2");
    expect(clientIp(request(), 0)).toBe("unknown");
  });

  it("without the server preload (a bare next start), counts the proxy's own entry as the last one", () => {
    expect(clientIp(request("6.6.6.6, 198.51.100.4"), 1)).toBe("198.51.100.4");
  });
});
