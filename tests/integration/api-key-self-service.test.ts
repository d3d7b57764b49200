import { describe, expect, it } from "vitest";
import { GET as listOwnKeys, POST as createKey } from "@/app/auth/api-keys/route";
import { DELETE as revokeOwnKey } from "@/app/auth/api-keys/[id]/route";
import { GET as legacyList } from "@/app/api/auth/api-keys/route";
import { GET as whoami } from "@/app/auth/me/route";
import { GET as listPartnerKeys } from "@/app/api/partner/api-keys/route";
import { DELETE as revokePartnerKey } from "@/app/api/partner/api-keys/[id]/route";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { db } from "@/lib/db";
import { createApiKey, issueApiKeyForClient, verifyApiKey, flushApiKeyUsage } from "@/lib/api-keys/api-keys";
import { authenticateClient, createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { issueAccessToken } from "@/lib/oauth/tokens";
import { browserRequest, createPartner, createUser, sessionCookieFor } from "./support";

const noContext = {} as never;
const withId = (id: string) => ({ params: Promise.resolve({ id }) });
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const DAY = 86_400_000;

type KeyJson = { id: string; key_prefix: string; usage_count: number; last_used_at: string | null; expires_at: string | null; status: string; owner?: { kind: string; email?: string; name?: string } };
const idsOf = async (response: Response) => ((await response.json()) as { api_keys: KeyJson[] }).api_keys.map((k) => k.id).sort();

/** A partner with an owner, an admin, a member, two keys of the owner, one of the member, and an OAuth client with a key from POST /auth/client. */
async function tenant() {
  const partner = await createPartner({ name: "Keys Inc" });
  const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const admin = await createUser({ partnerId: partner.id, partnerRole: "admin" });
  const member = await createUser({ partnerId: partner.id });
  const mk = (userId: string, name: string) => createApiKey(partner.id, userId, { name }, { type: "user", id: userId });
  const [first, second, membersKey] = [await mk(owner.id, "first"), await mk(owner.id, "second"), await mk(member.id, "member's")];
  const { client, clientSecret } = await createOAuthClientAsAdmin({ name: "Desktop MCP", partner_id: partner.id, scopes: "mcp:tools groups:read" }, systemAdminActor());
  const authenticated = await authenticateClient(client.clientId, clientSecret, { basic: false });
  const clientKey = await issueApiKeyForClient(authenticated);
  const clientKeyId = (await db.apiKey.findFirstOrThrow({ where: { ownerClientId: client.id }, select: { id: true } })).id;
  return { partner, owner, admin, member, first, second, membersKey, client, authenticated, clientKey, clientKeyId };
}

describe("API-key self-service (/auth/api-keys with the key itself)", () => {
  it("lists its owner's keys with usage_count and last_used_at, by Bearer and by X-API-Key", async () => {
    const t = await tenant();
    // One use, written (uses are counted in memory and written every second), then the listing (a second use).
    await listOwnKeys(browserRequest("/auth/api-keys", bearer(t.first.apiKey)), noContext);
    await flushApiKeyUsage();
    const response = await listOwnKeys(browserRequest("/auth/api-keys", bearer(t.first.apiKey)), noContext);
    expect(response.status).toBe(200);
    const keys = ((await response.json()) as { api_keys: KeyJson[] }).api_keys;
    expect(keys.map((k) => k.id).sort()).toEqual([t.first.key.id, t.second.key.id].sort());
    const self = keys.find((k) => k.id === t.first.key.id)!;
    expect(self.usage_count).toBe(1);
    expect(self.last_used_at).not.toBeNull();
    expect(JSON.stringify(keys)).not.toContain(t.first.apiKey);
    expect(await idsOf(await listOwnKeys(browserRequest("/auth/api-keys", { headers: { "x-api-key": t.second.apiKey } }), noContext))).toEqual([t.first.key.id, t.second.key.id].sort());
  });

  it("revokes itself, and its next request is 401", async () => {
    const t = await tenant();
    const revoked = await revokeOwnKey(browserRequest(`/auth/api-keys/${t.first.key.id}`, { method: "DELETE", ...bearer(t.first.apiKey) }), withId(t.first.key.id));
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: t.first.key.id, status: "revoked" });
    const next = await listOwnKeys(browserRequest("/auth/api-keys", bearer(t.first.apiKey)), noContext);
    expect(next.status).toBe(401);
    expect(next.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "api_key.revoked", targetId: t.first.key.id } });
    expect(audit).toMatchObject({ actorType: "api_key", actorId: t.first.key.id });
  });

  it("never lists another owner's keys and answers 404 for them: a colleague's, another partner's", async () => {
    const t = await tenant();
    const other = await tenant();
    expect(await idsOf(await listOwnKeys(browserRequest("/auth/api-keys", bearer(t.membersKey.apiKey)), noContext))).toEqual([t.membersKey.key.id]);
    for (const victim of [t.first.key.id, t.clientKeyId, other.first.key.id]) {
      const response = await revokeOwnKey(browserRequest(`/auth/api-keys/${victim}`, { method: "DELETE", ...bearer(t.membersKey.apiKey) }), withId(victim));
      expect(response.status).toBe(404);
    }
    const session = await revokeOwnKey(browserRequest(`/auth/api-keys/${other.first.key.id}`, { method: "DELETE", cookie: await sessionCookieFor(t.owner.id) }), withId(other.first.key.id));
    expect(session.status).toBe(404);
    expect(await db.apiKey.count({ where: { id: { in: [t.first.key.id, t.clientKeyId, other.first.key.id] }, revokedAt: { not: null } } })).toBe(0);
  });

  it("lets an OAuth client's key see and revoke only its client's keys", async () => {
    const t = await tenant();
    const second = await issueApiKeyForClient(t.authenticated);
    const ids = await idsOf(await listOwnKeys(browserRequest("/auth/api-keys", bearer(t.clientKey.apiKey)), noContext));
    expect(ids).toHaveLength(2);
    expect(ids).toContain(t.clientKeyId);
    expect(ids).not.toContain(t.first.key.id);
    const secondId = ids.find((id) => id !== t.clientKeyId)!;
    expect((await revokeOwnKey(browserRequest(`/auth/api-keys/${secondId}`, { method: "DELETE", ...bearer(t.clientKey.apiKey) }), withId(secondId))).status).toBe(200);
    expect(await verifyApiKey(second.apiKey)).toBeNull();
    expect((await revokeOwnKey(browserRequest(`/auth/api-keys/${t.first.key.id}`, { method: "DELETE", ...bearer(t.clientKey.apiKey) }), withId(t.first.key.id))).status).toBe(404);
  });

  it("serves the same handlers at the original /api/auth/api-keys", async () => {
    const t = await tenant();
    expect(await idsOf(await legacyList(browserRequest("/api/auth/api-keys", bearer(t.first.apiKey)), noContext))).toEqual([t.first.key.id, t.second.key.id].sort());
  });

  it("does not let an API key create keys (session only)", async () => {
    const t = await tenant();
    const response = await createKey(browserRequest("/auth/api-keys", { method: "POST", body: { name: "minted" }, ...bearer(t.first.apiKey) }), noContext);
    expect(response.status).toBe(401);
  });
});

describe("API key expiry", () => {
  it("gives a new key the default 90 days, any 1..3650 asked for, and no expiry only for \"never\"", async () => {
    const t = await tenant();
    const cookie = await sessionCookieFor(t.member.id);
    const create = async (body: Record<string, unknown>) => createKey(browserRequest("/auth/api-keys", { method: "POST", cookie, body: { name: "k", ...body } }), noContext);
    const expiresIn = async (response: Response) => {
      expect(response.status).toBe(201);
      const expiresAt = ((await response.json()) as KeyJson).expires_at;
      return expiresAt === null ? null : Math.round((new Date(expiresAt).getTime() - Date.now()) / DAY);
    };
    expect(await expiresIn(await create({}))).toBe(90);
    expect(await expiresIn(await create({ expires_in_days: 7 }))).toBe(7);
    expect(await expiresIn(await create({ expires_in_days: "never" }))).toBeNull();
    for (const bad of [0, 3651, "forever", null, 1.5]) {
      const response = await create({ expires_in_days: bad });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/expires_in_days/);
    }
  });

  it("keeps 30 days for keys from POST /auth/client", async () => {
    const t = await tenant();
    expect(Math.round((t.clientKey.expiresAt.getTime() - Date.now()) / DAY)).toBe(30);
  });
});

describe("GET /auth/me", () => {
  it("answers the session user, the API key with its owner and scopes, and the service token, in their tenant", async () => {
    const t = await tenant();
    const user = await whoami(browserRequest("/auth/me", { cookie: await sessionCookieFor(t.member.id) }), noContext);
    expect(await user.json()).toMatchObject({ kind: "user", user: { id: t.member.id, email: t.member.email, partner_role: "member" }, partner: { id: t.partner.id, name: "Keys Inc" } });
    const key = await whoami(browserRequest("/auth/me", bearer(t.first.apiKey)), noContext);
    expect(await key.json()).toMatchObject({ kind: "api_key", api_key: { id: t.first.key.id, key_prefix: t.first.key.keyPrefix }, owner: { kind: "user", id: t.owner.id, email: t.owner.email }, partner: { id: t.partner.id } });
    const clientKey = await whoami(browserRequest("/auth/me", { headers: { "x-api-key": t.clientKey.apiKey } }), noContext);
    expect(await clientKey.json()).toMatchObject({ kind: "api_key", owner: { kind: "oauth_client", client_id: t.client.clientId, name: "Desktop MCP" }, api_key: { scopes: ["mcp:tools", "groups:read"] } });
    const token = await issueAccessToken(t.authenticated, { scope: "groups:read" });
    const service = await whoami(browserRequest("/auth/me", bearer(token.access_token)), noContext);
    expect(await service.json()).toMatchObject({ kind: "service", client_id: t.client.clientId, scopes: ["groups:read"], partner: { id: t.partner.id } });
    expect((await whoami(browserRequest("/auth/me"), noContext)).status).toBe(401);
  });
});

describe("every key of the partner (/api/partner/api-keys)", () => {
  it("lets owners and admins list every key with its owner, and revoke a client-issued key (audited)", async () => {
    const t = await tenant();
    for (const manager of [t.owner, t.admin]) {
      const response = await listPartnerKeys(browserRequest("/api/partner/api-keys", { cookie: await sessionCookieFor(manager.id) }), noContext);
      expect(response.status).toBe(200);
      const keys = ((await response.json()) as { api_keys: KeyJson[] }).api_keys;
      expect(keys.map((k) => k.id).sort()).toEqual([t.first.key.id, t.second.key.id, t.membersKey.key.id, t.clientKeyId].sort());
      expect(keys.find((k) => k.id === t.clientKeyId)).toMatchObject({ owner: { kind: "oauth_client", name: "Desktop MCP" }, key_prefix: t.clientKey.keyPrefix, status: "active" });
      expect(keys.find((k) => k.id === t.membersKey.key.id)).toMatchObject({ owner: { kind: "user", email: t.member.email } });
    }
    const cookie = await sessionCookieFor(t.admin.id);
    const revoked = await revokePartnerKey(browserRequest(`/api/partner/api-keys/${t.clientKeyId}`, { method: "DELETE", cookie }), withId(t.clientKeyId));
    expect(revoked.status).toBe(200);
    expect(await verifyApiKey(t.clientKey.apiKey)).toBeNull();
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "api_key.revoked", targetId: t.clientKeyId } });
    expect(audit).toMatchObject({ actorType: "user", actorId: t.admin.id, partnerId: t.partner.id, metadata: { by: "partner_admin", prefix: t.clientKey.keyPrefix } });
  });

  it("answers a member 403, and another partner's key id 404", async () => {
    const t = await tenant();
    const other = await tenant();
    const member = await sessionCookieFor(t.member.id);
    expect((await listPartnerKeys(browserRequest("/api/partner/api-keys", { cookie: member }), noContext)).status).toBe(403);
    expect((await revokePartnerKey(browserRequest(`/api/partner/api-keys/${t.clientKeyId}`, { method: "DELETE", cookie: member }), withId(t.clientKeyId))).status).toBe(403);
    const owner = await sessionCookieFor(t.owner.id);
    expect((await revokePartnerKey(browserRequest(`/api/partner/api-keys/${other.clientKeyId}`, { method: "DELETE", cookie: owner }), withId(other.clientKeyId))).status).toBe(404);
    // Keys do not manage the partner's keys, whatever their scopes.
    expect((await listPartnerKeys(browserRequest("/api/partner/api-keys", bearer(t.first.apiKey)), noContext)).status).toBe(401);
    expect(await db.apiKey.count({ where: { id: { in: [t.clientKeyId, other.clientKeyId] }, revokedAt: { not: null } } })).toBe(0);
  });
});
