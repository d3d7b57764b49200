/**
 * Request bodies are limited while they stream, on every route that reads one, before any authentication work
 * (lib/next/route.ts): a chunked body without Content-Length is cut off at the limit and answered 413, and a bad
 * credential next to an oversized body still gets 413, not 401 (nothing was looked up).
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { POST as createGroupRoute } from "@/app/api/auth/groups/route";
import { POST as tokenRoute } from "@/app/oauth/token/route";
import { POST as mcpRoute } from "@/app/api/mcp/route";
import { APP_ORIGIN, createPartner, createUser, sessionCookieFor } from "./support";

/** A body that arrives in `chunks` pieces of `size` bytes with no Content-Length (Transfer-Encoding: chunked). */
function chunkedBody(chunks: number, size: number, counter?: { pulled: number }): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      if (counter) counter.pulled = sent;
      controller.enqueue(new TextEncoder().encode("x".repeat(size)));
    },
  });
}

const post = (path: string, headers: Record<string, string>, body: ReadableStream<Uint8Array>) =>
  new Request(`${APP_ORIGIN}${path}`, { method: "POST", headers, body, duplex: "half" } as RequestInit);

describe("request body limits", () => {
  it("answers 413 to a chunked body past the limit and stops reading it, creating nothing", async () => {
    const partner = await createPartner();
    const cookie = await sessionCookieFor((await createUser({ partnerId: partner.id })).id);
    const counter = { pulled: 0 };
    const response = await createGroupRoute(post("/api/auth/groups", { cookie, origin: APP_ORIGIN, "content-type": "application/json" }, chunkedBody(1_000, 1024, counter)), {});
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "payload_too_large" });
    expect(counter.pulled).toBeLessThan(100); // 64 KiB of a 1 MB body, not all of it
    expect(await db.group.count({ where: { partnerId: partner.id } })).toBe(0);
  });

  it("checks the size before the credential: a bad key with a huge body is 413, not 401", async () => {
    const response = await mcpRoute(post("/api/mcp", { authorization: "Bearer mg_not-a-key", "content-type": "application/json" }, chunkedBody(400, 1024)), {});
    expect(response.status).toBe(413);
  });

  it("answers the token endpoint's oversized form in RFC 6749 form", async () => {
    const response = await tokenRoute(post("/oauth/token", { "content-type": "application/x-www-form-urlencoded", authorization: "Basic Zm9vOmJhcg==" }, chunkedBody(20, 1024)), {});
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
    expect(response.headers.get("cache-control")).toContain("no-store");
  });
});
