import { describe, expect, it } from "vitest";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { db } from "@/lib/db";
import { issueApiKeyForClient, verifyApiKey } from "@/lib/api-keys/api-keys";
import {
  authenticateClient,
  createOAuthClientAsAdmin,
  deleteOAuthClientAsAdmin,
  disableOAuthClientAsAdmin,
  enableOAuthClientAsAdmin,
  rotateOAuthClientSecretAsAdmin,
} from "@/lib/oauth/clients";
import { createPartner } from "./support";

const admin = systemAdminActor();

/** An OAuth client with `mcp:tools` and two API keys it obtained through `POST /auth/client`. */
async function clientWithKeys() {
  const partner = await createPartner();
  const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Desktop", partner_id: partner.id, scopes: "mcp:tools" }, admin);
  const authenticated = await authenticateClient(client.clientId, clientSecret, { basic: false });
  const keys = [await issueApiKeyForClient(authenticated), await issueApiKeyForClient(authenticated)];
  for (const key of keys) expect(await verifyApiKey(key.apiKey)).not.toBeNull();
  return { client, keys };
}

async function expectRevokedAndAudited(clientId: string, keys: { apiKey: string; keyPrefix: string }[], reason: string) {
  for (const key of keys) expect(await verifyApiKey(key.apiKey)).toBeNull();
  const events = await db.auditEvent.findMany({ where: { action: "api_key.revoked", metadata: { path: ["clientId"], equals: clientId } } });
  expect(events.map((e) => (e.metadata as { prefix: string }).prefix).sort()).toEqual(keys.map((k) => k.keyPrefix).sort());
  for (const event of events) expect(event.metadata).toMatchObject({ reason });
}

describe("API keys of an OAuth client (POST /auth/client)", () => {
  it("are revoked when the client's secret is rotated", async () => {
    const { client, keys } = await clientWithKeys();
    await rotateOAuthClientSecretAsAdmin(client.id, admin);
    await expectRevokedAndAudited(client.clientId, keys, "oauth_client.secret_rotated");
    expect(await db.apiKey.count({ where: { ownerClientId: client.id, revokedAt: null } })).toBe(0);
  });

  it("are revoked when the client is disabled, and stay revoked when it is enabled again", async () => {
    const { client, keys } = await clientWithKeys();
    await disableOAuthClientAsAdmin(client.id, admin);
    await enableOAuthClientAsAdmin(client.id, admin);
    await expectRevokedAndAudited(client.clientId, keys, "oauth_client.disabled");
    const disabled = await db.auditEvent.findFirstOrThrow({ where: { action: "oauth_client.disabled", targetId: client.id } });
    expect(disabled.metadata).toMatchObject({ revokedApiKeys: 2 });
  });

  it("are revoked (audited) when the client is deleted", async () => {
    const { client, keys } = await clientWithKeys();
    await deleteOAuthClientAsAdmin(client.id, admin);
    await expectRevokedAndAudited(client.clientId, keys, "oauth_client.deleted");
    expect(await db.apiKey.count({ where: { ownerClientId: client.id } })).toBe(0);
  });

  it("leaves nothing revoked when the change fails (unknown client: 404)", async () => {
    const { client, keys } = await clientWithKeys();
    await expect(rotateOAuthClientSecretAsAdmin("no-such-client", admin)).rejects.toMatchObject({ status: 404 });
    for (const key of keys) expect(await verifyApiKey(key.apiKey)).not.toBeNull();
    expect(await db.apiKey.count({ where: { ownerClientId: client.id, revokedAt: null } })).toBe(2);
  });
});
