/**
 * In-process caches of access decisions (lib/cache/invalidation.ts) against real PostgreSQL: a change made by
 * another process (here: plain SQL on a connection of its own, so this process's own-write hook plays no part)
 * reaches this one through the trigger's NOTIFY, and a value read while an invalidation happened is never cached.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, verifyApiKey } from "@/lib/api-keys/api-keys";
import { cachesLive, GenerationCache, generation, invalidateAll } from "@/lib/cache/invalidation";
import { getConfig } from "@/lib/config";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { authenticateClient, createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { issueAccessToken, verifyAccessToken } from "@/lib/oauth/tokens";
import { createPartner, createUser, unique } from "./support";

let other: pg.Client;
beforeAll(async () => {
  other = new pg.Client({ connectionString: getConfig().databaseUrl });
  await other.connect();
});
afterAll(async () => {
  await other?.end();
});

/** Waits until the listening connection is up (it starts on first use). */
async function untilLive(): Promise<void> {
  for (let i = 0; i < 100 && !cachesLive(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(cachesLive()).toBe(true);
}

async function keyFixture() {
  const partner = await createPartner();
  const user = await createUser({ partnerId: partner.id });
  const { apiKey, key } = await createApiKey(partner.id, user.id, { name: "cache test" }, { type: "user", id: user.id });
  return { partner, user, apiKey, keyId: key.id };
}

/** Polls `check` for up to a second (a NOTIFY arrives within milliseconds of the other connection's commit). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

describe("cross-instance cache invalidation", () => {
  it("serves a verified API key from memory, and refuses it once another process revokes it (NOTIFY at commit)", async () => {
    const { apiKey, keyId } = await keyFixture();
    await untilLive();
    expect(await verifyApiKey(apiKey)).toMatchObject({ keyId });
    // Cached: a change no trigger announces (the key's name) is not read again, so the cache is what answers.
    await other.query("UPDATE api_keys SET name = 'renamed' WHERE id = $1", [keyId]);
    expect(await verifyApiKey(apiKey)).toMatchObject({ keyId });
    await other.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [keyId]);
    expect(await eventually(async () => (await verifyApiKey(apiKey)) === null)).toBe(true);
  });

  it("refuses every key of a partner another process suspends, and a key whose owner left the partner", async () => {
    const suspended = await keyFixture();
    const left = await keyFixture();
    await untilLive();
    expect(await verifyApiKey(suspended.apiKey)).not.toBeNull();
    expect(await verifyApiKey(left.apiKey)).not.toBeNull();
    await other.query("UPDATE partners SET status = 'suspended' WHERE id = $1", [suspended.partner.id]);
    await other.query("UPDATE users SET partner_id = NULL WHERE id = $1", [left.user.id]);
    expect(await eventually(async () => (await verifyApiKey(suspended.apiKey)) === null)).toBe(true);
    expect(await eventually(async () => (await verifyApiKey(left.apiKey)) === null)).toBe(true);
  });

  it("refuses a cached service token once another process revokes its jti, or disables its client", async () => {
    const partner = await createPartner();
    const { client, clientSecret } = await createOAuthClientAsAdmin({ name: unique("cache client"), partner_id: partner.id, scopes: "groups:read" }, systemAdminActor());
    const authenticated = await authenticateClient(client.clientId, clientSecret, { basic: true });
    const [first, second] = [await issueAccessToken(authenticated, {}), await issueAccessToken(authenticated, {})];
    await untilLive();
    const verified = await verifyAccessToken(first.access_token);
    await verifyAccessToken(second.access_token);
    await other.query("INSERT INTO revoked_tokens (jti, client_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')", [verified.jti, client.clientId]);
    expect(await eventually(async () => (await verifyAccessToken(first.access_token).then(() => false, () => true)))).toBe(true);
    await verifyAccessToken(second.access_token);
    await other.query("UPDATE oauth_clients SET disabled_at = now() WHERE id = $1", [client.id]);
    expect(await eventually(async () => (await verifyAccessToken(second.access_token).then(() => false, () => true)))).toBe(true);
    await expect(authenticateClient(client.clientId, clientSecret, { basic: true })).rejects.toThrow(/Client authentication failed/);
  });

  it("never caches a value read while an invalidation happened", async () => {
    await untilLive();
    const cache = new GenerationCache<string>();
    const seen = generation();
    invalidateAll(); // a revocation lands while the read is in flight
    cache.set("k", "read before the revocation", seen);
    expect(cache.get("k")).toBeUndefined();
    const now = generation();
    cache.set("k", "fresh", now);
    expect(cache.get("k")).toBe("fresh");
    invalidateAll();
    expect(cache.get("k")).toBeUndefined();
  });
});
