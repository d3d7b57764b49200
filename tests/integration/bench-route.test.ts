import { afterEach, describe, expect, it, vi } from "vitest";

// The bench-only route must not exist outside a benchmark build. next.config.mjs inlines GATEHOUSE_BENCH_BUILD at
// build time; here the module reads the environment, so each case imports a fresh copy under the flag it tests.
const PRINCIPAL = JSON.stringify({ kind: "api_key", keyId: "key_bench", owner: { kind: "user", userId: "user_bench" }, partnerId: "org_bench", scopes: ["mcp:tools"] });
const TOOLS_LIST = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} };

async function loadRoute(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import("@/app/api/bench/mcp-ungated/route");
}

const toolsList = () =>
  new Request("http://localhost:3000/api/bench/mcp-ungated", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
    body: JSON.stringify(TOOLS_LIST),
  });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("bench-only MCP route without the gate", () => {
  it("is a 404 for every method in a normal build, even with a principal in the environment", async () => {
    const route = await loadRoute({ GATEHOUSE_BENCH_BUILD: undefined, BENCH_MCP_PRINCIPAL: PRINCIPAL });
    for (const handler of [route.GET, route.POST, route.DELETE]) {
      const response = await handler(toolsList(), {});
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: "not_found" });
    }
  });

  it("is a 404 in a bench build started without a valid principal", async () => {
    for (const principal of [undefined, "not json", JSON.stringify({ kind: "api_key", keyId: "k", owner: { kind: "user", userId: "u" }, partnerId: "o", scopes: ["groups:read"] })]) {
      const route = await loadRoute({ GATEHOUSE_BENCH_BUILD: "1", BENCH_MCP_PRINCIPAL: principal });
      expect((await route.POST(toolsList(), {})).status).toBe(404);
    }
  });

  it("serves tools/list through the real MCP handler in a bench build, with no credential at all", async () => {
    const route = await loadRoute({ GATEHOUSE_BENCH_BUILD: "1", BENCH_MCP_PRINCIPAL: PRINCIPAL });
    const response = await route.POST(toolsList(), {});
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const text = await response.text();
    for (const tool of ["whoami", "list_groups", "check_membership"]) expect(text).toContain(`"name":"${tool}"`);
  });
});
