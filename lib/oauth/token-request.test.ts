import { describe, expect, it } from "vitest";
import { OAuthError } from "@/lib/http/errors";
import { readClientCredentials, readFormParams } from "@/lib/oauth/token-request";

const form = (body: string, headers: Record<string, string> = {}) =>
  new Request("http://gh.test/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });

async function oauthError(promise: Promise<unknown> | (() => unknown)): Promise<{ code: string; status: number; challenge?: string }> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    const e = error as OAuthError;
    return { code: e.code, status: e.status, challenge: e.headers["WWW-Authenticate"] };
  }
  throw new Error("expected an OAuthError");
}

describe("readFormParams", () => {
  it("reads a form body", async () => {
    expect(Object.fromEntries(await readFormParams(form("grant_type=client_credentials&scope=a+b")))).toEqual({ grant_type: "client_credentials", scope: "a b" });
  });

  it("refuses JSON, repeated parameters, oversized bodies and values with invalid_request", async () => {
    const json = new Request("http://gh.test/oauth/token", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(await oauthError(readFormParams(json))).toMatchObject({ code: "invalid_request", status: 400 });
    expect(await oauthError(readFormParams(form("scope=a&scope=b")))).toMatchObject({ code: "invalid_request" });
    expect(await oauthError(readFormParams(form(`x=${"a".repeat(9000)}`)))).toMatchObject({ code: "invalid_request" });
    expect(await oauthError(readFormParams(form(`scope=${"a".repeat(4097)}`)))).toMatchObject({ code: "invalid_request" });
  });
});

describe("readClientCredentials", () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

  it("decodes client_secret_basic with RFC 6749 §2.3.1 form-encoding", () => {
    const request = form("", { authorization: basic("gc_a%2Bb", "s%3Ae") });
    expect(readClientCredentials(request.headers, new Map())).toEqual({ clientId: "gc_a+b", clientSecret: "s:e", basic: true });
  });

  it("reads client_secret_post", () => {
    expect(readClientCredentials(form("").headers, new Map([["client_id", "c"], ["client_secret", "s"]]))).toEqual({ clientId: "c", clientSecret: "s", basic: false });
  });

  it("refuses two methods, a mismatched client_id, malformed Basic and no credentials", async () => {
    expect(await oauthError(() => readClientCredentials(form("", { authorization: basic("c", "s") }).headers, new Map([["client_secret", "s"]])))).toMatchObject({ code: "invalid_request" });
    expect(await oauthError(() => readClientCredentials(form("", { authorization: basic("c", "s") }).headers, new Map([["client_id", "other"]])))).toMatchObject({ code: "invalid_request" });
    expect(await oauthError(() => readClientCredentials(form("", { authorization: "Basic !!!" }).headers, new Map()))).toMatchObject({ code: "invalid_client", status: 401, challenge: 'Basic realm="gatehouse"' });
    expect(await oauthError(() => readClientCredentials(form("", { authorization: `Basic ${Buffer.from("no-colon").toString("base64")}` }).headers, new Map()))).toMatchObject({ code: "invalid_client" });
    expect(await oauthError(() => readClientCredentials(form("").headers, new Map()))).toMatchObject({ code: "invalid_client", status: 401 });
  });
});
