import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BearerError, ConflictError, NotFoundError, OAuthError, RateLimitedError } from "@/lib/http/errors";
import { toResponse } from "@/lib/http/respond";
import { Secret } from "@/lib/http/secret";
import { inspect } from "node:util";

describe("toResponse", () => {
  it("answers OAuth errors as RFC 6749 §5.2 JSON with no-store", async () => {
    const response = toResponse(new OAuthError("invalid_client", "Client authentication failed.", { headers: { "WWW-Authenticate": 'Basic realm="gatehouse"' } }), { style: "oauth" });
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="gatehouse"');
    expect(await response.json()).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
  });

  it("answers invalid_token with an RFC 6750 challenge", async () => {
    const response = toResponse(new BearerError("invalid_token", "The access token expired."), { style: "bearer" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="gatehouse", error="invalid_token", error_description="The access token expired."');
  });

  it("answers insufficient_scope with 403 naming the scope", async () => {
    const response = toResponse(new BearerError("insufficient_scope", "Needs groups:write.", "groups:write"), { style: "bearer" });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.headers.get("www-authenticate")).toContain('scope="groups:write"');
    expect(await response.json()).toEqual({ error: "insufficient_scope", message: "Needs groups:write.", scope: "groups:write" });
  });

  it("sends no error code when a Bearer request had no credentials (RFC 6750 §3.1)", () => {
    const response = toResponse(new BearerError(undefined, "Authentication required."), { style: "bearer" });
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="gatehouse"');
  });

  it("maps zod errors to 400 naming the field", async () => {
    const parsed = z.object({ name: z.string().min(1) }).safeParse({ name: "" });
    const response = toResponse(parsed.error, {});
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe("invalid_request");
    expect(body.message).toMatch(/^name: /);
  });

  it("maps 404, 409 and 429 with their headers", async () => {
    expect(toResponse(new NotFoundError()).status).toBe(404);
    expect(toResponse(new ConflictError("Already approved.")).status).toBe(409);
    const limited = toResponse(new RateLimitedError(2.2));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
  });

  it("answers an unexpected error 500 without internals", async () => {
    const response = toResponse(new Error("relation \"users\" does not exist at /srv/app/lib/db.ts:12"), { requestId: "req-12345678" });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("relation");
    expect(text).not.toContain("/srv/app");
    expect(response.headers.get("x-request-id")).toBe("req-12345678");
  });

  it("answers 503 with Retry-After when PostgreSQL is unreachable", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const response = toResponse(new Error("query failed", { cause: refused }));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({ error: "service_unavailable" });
  });
});

describe("Secret", () => {
  it("never prints its value through String, JSON or inspect", () => {
    const secret = new Secret("mg_topsecretvalue");
    expect(`${secret}`).toBe("[REDACTED]");
    expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}');
    expect(inspect({ secret })).not.toContain("topsecret");
    expect(secret.reveal()).toBe("mg_topsecretvalue");
  });
});
