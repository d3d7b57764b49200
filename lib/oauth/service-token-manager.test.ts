import { describe, expect, it } from "vitest";
import { ServiceTokenManager, TokenRequestError } from "@/lib/oauth/service-token-manager";

function fakeServer(options: { expiresIn?: number; delayMs?: number } = {}) {
  let issued = 0;
  const seen: string[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith("/oauth/token")) {
      expect(new Headers(init?.headers).get("authorization")).toMatch(/^Basic /);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      issued += 1;
      return Response.json({ access_token: `token-${issued}`, token_type: "Bearer", expires_in: options.expiresIn ?? 900 });
    }
    const token = new Headers(init?.headers).get("authorization")!.slice(7);
    seen.push(token);
    return new Response(null, { status: token === "token-1" && url.includes("stale") ? 401 : 200 });
  }) as typeof fetch;
  return { fetchImpl, issued: () => issued, seen };
}

describe("ServiceTokenManager", () => {
  it("caches the token until refreshSkewSeconds before expiry, then refreshes", async () => {
    let now = 1_000_000;
    const server = fakeServer({ expiresIn: 900 });
    const manager = new ServiceTokenManager({ tokenEndpoint: "https://gh.test/oauth/token", clientId: "c", clientSecret: "s", fetch: server.fetchImpl, now: () => now, refreshSkewSeconds: 60 });
    expect(await manager.getToken()).toBe("token-1");
    now += 839_000;
    expect(await manager.getToken()).toBe("token-1");
    now += 2_000; // 841 s: inside the 60 s skew window
    expect(await manager.getToken()).toBe("token-2");
    expect(server.issued()).toBe(2);
  });

  it("single-flights concurrent refreshes", async () => {
    const server = fakeServer({ delayMs: 20 });
    const manager = new ServiceTokenManager({ tokenEndpoint: "https://gh.test/oauth/token", clientId: "c", clientSecret: "s", fetch: server.fetchImpl });
    const tokens = await Promise.all(Array.from({ length: 25 }, () => manager.getToken()));
    expect(new Set(tokens)).toEqual(new Set(["token-1"]));
    expect(server.issued()).toBe(1);
  });

  it("retries once with a fresh token on 401", async () => {
    const server = fakeServer();
    const manager = new ServiceTokenManager({ tokenEndpoint: "https://gh.test/oauth/token", clientId: "c", clientSecret: "s", fetch: server.fetchImpl });
    const response = await manager.fetch("https://gh.test/api/stale");
    expect(response.status).toBe(200);
    expect(server.seen).toEqual(["token-1", "token-2"]);
  });

  it("surfaces the server's RFC 6749 error", async () => {
    const fetchImpl = (async () => Response.json({ error: "invalid_client", error_description: "Client authentication failed." }, { status: 401 })) as typeof fetch;
    const manager = new ServiceTokenManager({ tokenEndpoint: "https://gh.test/oauth/token", clientId: "c", clientSecret: "bad", fetch: fetchImpl });
    await expect(manager.getToken()).rejects.toEqual(new TokenRequestError(401, "invalid_client", "Client authentication failed."));
  });
});
