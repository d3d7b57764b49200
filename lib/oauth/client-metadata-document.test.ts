import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  ClientMetadataError,
  fetchClientMetadataDocument,
  isClientMetadataDocumentUrl,
  parseClientMetadataDocument,
} from "@/lib/oauth/client-metadata-document";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const dev = { allowPrivateAddresses: true };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on 127.0.0.1; `hits` counts the requests it received. */
async function serve(handler: (request: IncomingMessage, response: ServerResponse, url: string) => void) {
  const state = { url: "", hits: 0 };
  const server = createHttpServer((request, response) => {
    state.hits++;
    handler(request, response, state.url);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/client.json`;
  return state;
}

const goodDocument = (url: string, extra: Record<string, unknown> = {}) => ({
  client_id: url,
  client_name: "Example MCP client",
  redirect_uris: ["http://127.0.0.1:33418/callback", "https://app.example.com/callback", "cursor://anysphere.cursor-retrieval/oauth/callback"],
  unknown_extension: "dropped",
  ...extra,
});

function json(response: ServerResponse, value: unknown, headers: Record<string, string> = {}) {
  response.writeHead(200, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(value));
}

async function refusal(promise: Promise<unknown> | (() => unknown)): Promise<{ reason: string; message: string }> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(ClientMetadataError);
    const { reason, message } = error as ClientMetadataError;
    return { reason, message };
  }
  throw new Error("expected a ClientMetadataError");
}

describe("isClientMetadataDocumentUrl", () => {
  it("accepts https URLs with a path, and loopback http only for development", () => {
    expect(isClientMetadataDocumentUrl("https://app.example.com/oauth/client.json")).toBe(true);
    expect(isClientMetadataDocumentUrl("https://app.example.com:8443/c?v=1")).toBe(true);
    expect(isClientMetadataDocumentUrl("http://localhost:3000/client.json")).toBe(false);
    expect(isClientMetadataDocumentUrl("http://localhost:3000/client.json", dev)).toBe(true);
    expect(isClientMetadataDocumentUrl("http://app.example.com/client.json", dev)).toBe(false);
  });

  it("refuses no path, fragments, userinfo, dot segments and characters WHATWG URL would rewrite", () => {
    for (const url of [
      "https://app.example.com",
      "https://app.example.com?x=1",
      "https://app.example.com/client.json#",
      "https://app.example.com/client.json#top",
      "https://user:pw@app.example.com/client.json",
      "https://@app.example.com/client.json",
      "https://app.example.com/a/../client.json",
      "https://app.example.com/./client.json",
      "https://app.example.com/a/%2E%2e/client.json",
      "https://app.example.com/client json",
      "https://app.example.com\\@evil.example/client.json",
      " https://app.example.com/client.json",
      "client-123",
      "urn:example:client",
    ]) {
      expect(isClientMetadataDocumentUrl(url), url).toBe(false);
    }
  });
});

describe("parseClientMetadataDocument", () => {
  const url = "https://app.example.com/oauth/client.json";

  it("fills the RFC 7591 defaults and drops unknown properties", () => {
    expect(parseClientMetadataDocument(url, goodDocument(url))).toEqual({
      client_id: url,
      client_name: "Example MCP client",
      redirect_uris: goodDocument(url).redirect_uris,
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    });
  });

  it("refuses a client_id that differs from the URL by so much as a trailing slash", async () => {
    expect(await refusal(() => parseClientMetadataDocument(url, goodDocument(`${url}/`)))).toMatchObject({ reason: "client_id_mismatch" });
    expect(await refusal(() => parseClientMetadataDocument(url, { ...goodDocument(url), client_id: undefined }))).toMatchObject({ reason: "client_id_mismatch" });
  });

  it("refuses every authentication method but none, and any client_secret", async () => {
    for (const method of ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"]) {
      expect(await refusal(() => parseClientMetadataDocument(url, goodDocument(url, { token_endpoint_auth_method: method })))).toEqual({
        reason: "unsupported_auth_method",
        message: 'This server accepts metadata documents only for public clients (token_endpoint_auth_method "none").',
      });
    }
    expect(await refusal(() => parseClientMetadataDocument(url, goodDocument(url, { client_secret: "s" })))).toMatchObject({ reason: "unsupported_auth_method" });
    expect(parseClientMetadataDocument(url, goodDocument(url, { token_endpoint_auth_method: "none" })).token_endpoint_auth_method).toBe("none");
  });

  it("refuses http redirect URIs to other hosts, script and file schemes, and fragments", async () => {
    for (const uri of ["http://app.example.com/callback", "http://10.0.0.5/callback", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd", "https://app.example.com/cb#frag", "/relative/callback", "java\tscript:alert(1)"]) {
      expect(await refusal(() => parseClientMetadataDocument(url, goodDocument(url, { redirect_uris: [uri] }))), uri).toMatchObject({ reason: "invalid_redirect_uri" });
    }
    const loopback = ["http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]:9000/cb", "com.example.app:/oauth2redirect"];
    expect(parseClientMetadataDocument(url, goodDocument(url, { redirect_uris: loopback })).redirect_uris).toEqual(loopback);
  });

  it("refuses out-of-range lists, other grants and response types, long names and http links", async () => {
    const invalid = async (extra: Record<string, unknown>, options = {}) => (await refusal(() => parseClientMetadataDocument(url, goodDocument(url, extra), options))).message;
    expect(await invalid({ redirect_uris: [] })).toMatch(/invalid redirect_uris/);
    expect(await invalid({ redirect_uris: Array.from({ length: 11 }, (_, i) => `https://app.example.com/${i}`) })).toMatch(/invalid redirect_uris/);
    expect(await invalid({ grant_types: ["authorization_code", "implicit"] })).toMatch(/invalid grant_types/);
    expect(await invalid({ grant_types: ["refresh_token"] })).toMatch(/grant_types: must include authorization_code/);
    expect(await invalid({ response_types: ["code", "token"] })).toMatch(/invalid response_types/);
    expect(await invalid({ client_name: "x".repeat(201) })).toMatch(/invalid client_name/);
    expect(await invalid({ logo_uri: "http://cdn.example.com/logo.png" })).toMatch(/invalid logo_uri: must be an https URL/);
    expect(await invalid({ client_uri: "javascript:alert(1)" }, dev)).toMatch(/invalid client_uri/);
    expect(await refusal(() => parseClientMetadataDocument(url, [goodDocument(url)]))).toMatchObject({ reason: "invalid_document" });
    const withGrants = parseClientMetadataDocument(url, goodDocument(url, { grant_types: ["authorization_code", "refresh_token"], logo_uri: "http://localhost/logo.png" }), dev);
    expect(withGrants).toMatchObject({ grant_types: ["authorization_code", "refresh_token"], logo_uri: "http://localhost/logo.png" });
  });
});

describe("fetchClientMetadataDocument", () => {
  it("returns a good document with defaults filled and cacheUntil from max-age", async () => {
    const server = await serve((request, response, url) => {
      expect(request.headers).toMatchObject({ accept: "application/json", "user-agent": "Gatehouse" });
      json(response, goodDocument(url), { "cache-control": "public, max-age=600" });
    });
    const fetched = await fetchClientMetadataDocument(server.url, { ...dev, now: NOW });
    expect(fetched).toEqual({
      document: { client_id: server.url, client_name: "Example MCP client", redirect_uris: goodDocument(server.url).redirect_uris, token_endpoint_auth_method: "none", grant_types: ["authorization_code"], response_types: ["code"] },
      cacheUntil: NOW + 600_000,
    });
  });

  it("clamps the cache lifetime to between 60 seconds and 24 hours, and reads Expires against Date", async () => {
    let headers: Record<string, string> = {};
    const server = await serve((_request, response, url) => json(response, goodDocument(url), headers));
    const cacheSeconds = async (next: Record<string, string>) => {
      headers = next;
      return ((await fetchClientMetadataDocument(server.url, { ...dev, now: NOW })).cacheUntil - NOW) / 1000;
    };
    expect(await cacheSeconds({ "cache-control": "max-age=5" })).toBe(60);
    expect(await cacheSeconds({ "cache-control": "max-age=0" })).toBe(60);
    expect(await cacheSeconds({ "cache-control": "no-store" })).toBe(60);
    expect(await cacheSeconds({ "cache-control": "no-cache, max-age=600" })).toBe(60);
    expect(await cacheSeconds({ "cache-control": "max-age=31536000" })).toBe(86_400);
    expect(await cacheSeconds({ "cache-control": "max-age=600", age: "100" })).toBe(500);
    expect(await cacheSeconds({})).toBe(3600);
    const date = new Date(NOW - 3_600_000); // a server clock an hour behind ours: only Expires − Date counts
    expect(await cacheSeconds({ date: date.toUTCString(), expires: new Date(date.getTime() + 7_200_000).toUTCString() })).toBe(7200);
    expect(await cacheSeconds({ expires: "0" })).toBe(60);
    expect(await cacheSeconds({ date: new Date(NOW).toUTCString(), expires: new Date(NOW + 30 * 86_400_000).toUTCString() })).toBe(86_400);
  });

  it("refuses a document whose client_id is not the URL it came from", async () => {
    const server = await serve((_request, response, url) => json(response, goodDocument(url.replace("/oauth/", "/other/"))));
    expect(await refusal(fetchClientMetadataDocument(server.url, dev))).toMatchObject({ reason: "client_id_mismatch" });
  });

  it("refuses an oversized body streamed without Content-Length, without waiting for its end", async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write(`{"client_name":"${"x".repeat(3000)}`);
      setTimeout(() => response.write("x".repeat(3000)), 20); // then never ends
    });
    const started = Date.now();
    expect(await refusal(fetchClientMetadataDocument(server.url, { ...dev, timeoutMs: 3000 }))).toEqual({ reason: "too_large", message: "The client's metadata document is larger than 5120 bytes." });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a larger Content-Length before reading the body", async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "6000" });
      response.write("{"); // and never the rest: reading on would run into the timeout instead
    });
    expect(await refusal(fetchClientMetadataDocument(server.url, { ...dev, timeoutMs: 3000 }))).toMatchObject({ reason: "too_large" });
    const small = await serve((_request, response, url) => json(response, goodDocument(url)));
    expect(await refusal(fetchClientMetadataDocument(small.url, { ...dev, maxBytes: 100 }))).toMatchObject({ reason: "too_large", message: "The client's metadata document is larger than 100 bytes." });
  });

  it("gives up on a slow server after timeoutMs", async () => {
    const server = await serve(() => {}); // accepts the request, never answers
    const started = Date.now();
    expect(await refusal(fetchClientMetadataDocument(server.url, { ...dev, timeoutMs: 200 }))).toEqual({ reason: "timeout", message: "The client's metadata document took too long to fetch." });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.hits).toBe(1);
  });

  it("refuses a 302 without following it", async () => {
    const target = await serve((_request, response, url) => json(response, goodDocument(url)));
    const server = await serve((_request, response) => {
      response.writeHead(302, { location: target.url });
      response.end();
    });
    expect(await refusal(fetchClientMetadataDocument(server.url, dev))).toMatchObject({ reason: "redirect" });
    expect(target.hits).toBe(0);
  });

  it("refuses other statuses, non-JSON content types and malformed JSON, without repeating the body", async () => {
    let answer: (response: ServerResponse) => void = () => {};
    const server = await serve((_request, response) => answer(response));
    const refuse = async (next: typeof answer) => {
      answer = next;
      return refusal(fetchClientMetadataDocument(server.url, dev));
    };
    expect(await refuse((r) => r.writeHead(404, { "content-type": "application/json" }).end("{}"))).toMatchObject({ reason: "bad_status", message: expect.stringContaining("HTTP 404") });
    expect(await refuse((r) => r.writeHead(200, { "content-type": "text/html" }).end("<b>secret</b>"))).toEqual({ reason: "bad_content_type", message: "The client's metadata document is not served as JSON." });
    expect(await refuse((r) => r.writeHead(200).end("{}"))).toMatchObject({ reason: "bad_content_type" });
    expect(await refuse((r) => r.writeHead(200, { "content-type": "application/json" }).end("{secret"))).toEqual({ reason: "invalid_json", message: "The client's metadata document is not valid JSON." });
    answer = (r) => r.writeHead(200, { "content-type": "application/client-metadata+json; charset=utf-8" }).end(JSON.stringify(goodDocument(server.url)));
    expect((await fetchClientMetadataDocument(server.url, dev)).document.client_id).toBe(server.url);
  });

  it("refuses a server that closes the connection with a generic fetch_failed", async () => {
    const server = await serve((request) => request.socket.destroy());
    expect(await refusal(fetchClientMetadataDocument(server.url, dev))).toEqual({ reason: "fetch_failed", message: "The client's metadata document could not be fetched." });
  });
});

describe("fetchClientMetadataDocument without allowPrivateAddresses", () => {
  /** A bare TCP listener on 127.0.0.1 that counts connections: none may arrive. */
  async function listener() {
    const state = { port: 0, connections: 0 };
    const server = createTcpServer((socket) => {
      state.connections++;
      socket.destroy();
    });
    servers.push(server as unknown as Server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.port = (server.address() as AddressInfo).port;
    return state;
  }

  it("refuses http:// URLs, even to a listening loopback server", async () => {
    const server = await serve((_request, response, url) => json(response, goodDocument(url)));
    expect(await refusal(fetchClientMetadataDocument(server.url))).toMatchObject({ reason: "invalid_client_id" });
    expect(await refusal(fetchClientMetadataDocument("http://app.example.com/client.json"))).toMatchObject({ reason: "invalid_client_id" });
    expect(server.hits).toBe(0);
  });

  it("refuses private, loopback, link-local and mapped IP literals before connecting", async () => {
    const tcp = await listener();
    for (const host of ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:a9fe:a9fe]", "0.0.0.0", "100.64.0.1", "192.168.1.1", "[fd00::1]", "[fe80::1]", "[::]", "2130706433"]) {
      const url = `https://${host}:${tcp.port}/client.json`;
      const started = Date.now();
      expect(await refusal(fetchClientMetadataDocument(url, { timeoutMs: 3000 })), url).toEqual({
        reason: "private_address",
        message: "The client_id URL points to a private or reserved network address.",
      });
      expect(Date.now() - started, url).toBeLessThan(1000);
    }
    expect(tcp.connections).toBe(0);
  });

  it("refuses a name that resolves to loopback in the socket's own lookup, without hanging", async () => {
    const tcp = await listener();
    const url = `https://localhost:${tcp.port}/client.json`;
    expect(isClientMetadataDocumentUrl(url)).toBe(true); // so only the resolution check can refuse it
    const started = Date.now();
    expect(await refusal(fetchClientMetadataDocument(url, { timeoutMs: 3000 }))).toMatchObject({ reason: "private_address" });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(tcp.connections).toBe(0);
  });
});
