/**
 * API keys (`mg_<base62><crc>`): 256-bit secrets shown once, stored as SHA-256 digests, scoped to one tenant.
 * Verification and usage tracking are ONE statement (UPDATE … RETURNING, with the per-day counter in the same
 * CTE): the request's only database round trip, atomic under any concurrency (the row lock serialises increments),
 * and immediate revocation on every instance because nothing is cached.
 */
import { z } from "zod";
import { getConfig } from "@/lib/config";
import { db, sql, type Prisma } from "@/lib/db";
import { auditRow, type AuditActorType } from "@/lib/audit/record-audit";
import { NotFoundError, OAuthError } from "@/lib/http/errors";
import { digestSecret, generateSecret, isWellFormedSecret } from "@/lib/secrets/secret-format";
import { ALL_SCOPES } from "@/lib/oauth/scopes";
import { GenerationCache, generation } from "@/lib/cache/invalidation";
import type { AuthenticatedClient } from "@/lib/oauth/clients";

/** Days an API key obtained through `POST /auth/client` lives. */
export const CLIENT_KEY_LIFETIME_DAYS = 30;

export const apiKeyCreateSchema = z.object({
  name: z.string().trim().min(1, "is required").max(100),
  scopes: z
    .array(z.enum(ALL_SCOPES as [string, ...string[]], { error: `each scope must be one of ${ALL_SCOPES.join(", ")}` }))
    .min(1)
    .max(ALL_SCOPES.length)
    .default(["mcp:tools", "partner:read", "groups:read", "members:read"]),
  /** Days until expiry (1..3650); omitted → API_KEY_DEFAULT_TTL_DAYS (90); a key that never expires only as `"never"`. */
  expires_in_days: z
    .union([z.literal("never"), z.coerce.number().int().min(1).max(3650)], { error: 'must be a number of days from 1 to 3650, or "never"' })
    .optional(),
});

/** Whom a key belongs to: a person (users.id) or an OAuth client (oauth_clients.id), as on the API-key principal. */
export type ApiKeyOwner = { kind: "user"; userId: string } | { kind: "oauth_client"; oauthClientRowId: string };

/** A key as its partner's owners and admins see it: with whom it belongs to (a person's email or a client's name). */
export interface PartnerApiKeyView extends ApiKeyView {
  owner: { kind: "user"; id: string; label: string } | { kind: "oauth_client"; id: string; clientId: string; label: string };
}

export interface ApiKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  ownerUserId: string | null;
  ownerClientId: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  usageCount: number;
  revokedAt: Date | null;
  createdAt: Date;
  status: "active" | "revoked" | "expired";
}

export interface VerifiedApiKey {
  keyId: string;
  partnerId: string;
  ownerUserId?: string;
  ownerClientId?: string;
  scopes: string[];
}

const viewSelect = { id: true, name: true, keyPrefix: true, scopes: true, ownerUserId: true, ownerClientId: true, expiresAt: true, lastUsedAt: true, usageCount: true, revokedAt: true, createdAt: true } as const;

function toView(row: { id: string; name: string; keyPrefix: string; scopes: string[]; ownerUserId: string | null; ownerClientId: string | null; expiresAt: Date | null; lastUsedAt: Date | null; usageCount: bigint; revokedAt: Date | null; createdAt: Date }): ApiKeyView {
  const status = row.revokedAt ? "revoked" : row.expiresAt && row.expiresAt.getTime() <= Date.now() ? "expired" : "active";
  return { ...row, usageCount: Number(row.usageCount), status };
}

type Actor = { type: AuditActorType; id: string };

/** The `where` of one owner's keys; a bare string is a users.id. */
function ownerWhere(owner: ApiKeyOwner | string): Prisma.ApiKeyWhereInput {
  if (typeof owner === "string") return { ownerUserId: owner };
  return owner.kind === "user" ? { ownerUserId: owner.userId } : { ownerClientId: owner.oauthClientRowId };
}

/** When a new key expires: `"never"` → null, a number of days, or the configured default (API_KEY_DEFAULT_TTL_DAYS). */
function expiryFor(expiresInDays: number | "never" | undefined): Date | null {
  if (expiresInDays === "never") return null;
  return new Date(Date.now() + (expiresInDays ?? getConfig().apiKeyDefaultTtlDays) * 86_400_000);
}

/**
 * Creates a key for a member of the tenant. It expires after `expires_in_days`, or API_KEY_DEFAULT_TTL_DAYS (90)
 * when omitted; only `expires_in_days: "never"` makes a key that never expires.
 * @returns the key (shown once) and its view
 * @throws ZodError for bad input
 */
export async function createApiKey(partnerId: string, ownerUserId: string, input: unknown, actor: Actor): Promise<{ apiKey: string; key: ApiKeyView }> {
  const data = apiKeyCreateSchema.parse(input);
  const secret = generateSecret("mg");
  const key = await db.$transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: {
        name: data.name,
        partnerId,
        ownerUserId,
        keyDigest: secret.digest,
        keyPrefix: secret.displayPrefix,
        scopes: data.scopes,
        expiresAt: expiryFor(data.expires_in_days),
      },
      select: viewSelect,
    });
    await tx.auditEvent.create({ data: auditRow({ action: "api_key.created", actor, partnerId, target: { type: "api_key", id: row.id }, metadata: { name: data.name, scopes: data.scopes, prefix: secret.displayPrefix, expiresAt: row.expiresAt?.toISOString() ?? null } }) });
    return toView(row);
  });
  return { apiKey: secret.secret, key };
}

/**
 * `POST /auth/client`: an authenticated OAuth client exchanges its credentials for an API key for a desktop MCP
 * client. The key belongs to the client's tenant, carries the client's scopes and expires in 30 days.
 * @throws OAuthError `invalid_scope` when the client is not allowed `mcp:tools`
 */
export async function issueApiKeyForClient(client: AuthenticatedClient & { name?: string }): Promise<{ apiKey: string; keyPrefix: string; clientId: string; expiresAt: Date }> {
  if (!client.allowedScopes.includes("mcp:tools")) throw new OAuthError("invalid_scope", "This client may not use the MCP endpoint (scope mcp:tools).");
  const secret = generateSecret("mg");
  const expiresAt = new Date(Date.now() + CLIENT_KEY_LIFETIME_DAYS * 86_400_000);
  await db.$transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: { name: `MCP client ${client.clientId}`, partnerId: client.partnerId, ownerClientId: client.id, keyDigest: secret.digest, keyPrefix: secret.displayPrefix, scopes: client.allowedScopes, expiresAt },
      select: { id: true },
    });
    await tx.auditEvent.create({
      data: auditRow({ action: "api_key.created", actor: { type: "service", id: client.clientId }, partnerId: client.partnerId, target: { type: "api_key", id: row.id }, metadata: { via: "client_credentials_exchange", prefix: secret.displayPrefix } }),
    });
  });
  return { apiKey: secret.secret, keyPrefix: secret.displayPrefix, clientId: client.clientId, expiresAt };
}

/**
 * Revokes every live API key an OAuth client obtained through `POST /auth/client`, inside the caller's transaction
 * (the client's secret rotation, disabling or deletion), with one `api_key.revoked` audit event per key.
 * @param reason the audit action of the change that caused it, e.g. `oauth_client.secret_rotated`
 * @returns how many keys were revoked
 */
export async function revokeClientApiKeys(
  tx: Prisma.TransactionClient,
  client: { id: string; clientId: string; partnerId: string },
  actor: { type: AuditActorType; id?: string },
  reason: string,
): Promise<number> {
  const keys = await tx.apiKey.findMany({ where: { ownerClientId: client.id, revokedAt: null }, select: { id: true, keyPrefix: true } });
  if (keys.length === 0) return 0;
  await tx.apiKey.updateMany({ where: { id: { in: keys.map((k) => k.id) } }, data: { revokedAt: new Date() } });
  await tx.auditEvent.createMany({
    data: keys.map((key) =>
      auditRow({ action: "api_key.revoked", actor, partnerId: client.partnerId, target: { type: "api_key", id: key.id }, metadata: { reason, clientId: client.clientId, prefix: key.keyPrefix } }) as Prisma.AuditEventCreateManyInput,
    ),
  });
  return keys.length;
}

/** One owner's keys in their tenant (a person's, or an OAuth client's), newest first; `owner` as a string is a users.id. */
export async function listApiKeys(partnerId: string, owner: ApiKeyOwner | string): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { partnerId, ...ownerWhere(owner) }, select: viewSelect, orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map(toView);
}

/** Every key of a tenant (dashboard, MCP tools), newest first. */
export async function listTenantApiKeys(partnerId: string): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { partnerId }, select: viewSelect, orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map(toView);
}

const partnerViewSelect = { ...viewSelect, ownerUser: { select: { id: true, email: true, name: true } }, ownerClient: { select: { id: true, clientId: true, name: true } } } as const;

function toPartnerView({ ownerUser, ownerClient, ...row }: Prisma.ApiKeyGetPayload<{ select: typeof partnerViewSelect }>): PartnerApiKeyView {
  const owner: PartnerApiKeyView["owner"] = ownerClient
    ? { kind: "oauth_client", id: ownerClient.id, clientId: ownerClient.clientId, label: ownerClient.name }
    : { kind: "user", id: ownerUser?.id ?? "", label: ownerUser?.email ?? ownerUser?.name ?? "(unknown)" };
  return { ...toView(row), owner };
}

/**
 * Every key of a tenant with its owner (a person's email, or an OAuth client's name), newest first, up to 500: for
 * the partner's owners and admins (the caller's policy demands `partnerRole: "admin"`).
 */
export async function listPartnerApiKeys(partnerId: string): Promise<PartnerApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { partnerId }, select: partnerViewSelect, orderBy: { createdAt: "desc" }, take: 500 });
  return rows.map(toPartnerView);
}

/**
 * One key of the tenant with its owner (`GET /auth/me` for an API key).
 * @throws NotFoundError (404) for a key of another tenant or none
 */
export async function getPartnerApiKey(partnerId: string, keyId: string): Promise<PartnerApiKeyView> {
  const row = await db.apiKey.findFirst({ where: { id: keyId, partnerId }, select: partnerViewSelect });
  if (!row) throw new NotFoundError("No such API key.");
  return toPartnerView(row);
}

/**
 * Revokes one of an owner's keys (a person's, or, through the key itself, an OAuth client's); it fails on its next
 * request, on every instance. Revoking a revoked key answers its view again, without a second audit event.
 * @param owner the owner, or a users.id
 * @throws NotFoundError (404) for a key that is not this owner's (another owner's or tenant's included)
 */
export async function revokeApiKey(partnerId: string, owner: ApiKeyOwner | string, keyId: string, actor: Actor): Promise<ApiKeyView> {
  return revokeWhere({ id: keyId, partnerId, ...ownerWhere(owner) }, partnerId, actor, {});
}

/**
 * Revokes any key of the tenant, whoever owns it (a member's, or one an OAuth client obtained through
 * `POST /auth/client`): for the partner's owners and admins. Audited as `api_key.revoked` with `by: partner_admin`.
 * @throws NotFoundError (404) for a key of another tenant or none
 */
export async function revokePartnerApiKey(partnerId: string, keyId: string, actor: Actor): Promise<ApiKeyView> {
  return revokeWhere({ id: keyId, partnerId }, partnerId, actor, { by: "partner_admin" });
}

async function revokeWhere(where: Prisma.ApiKeyWhereInput, partnerId: string, actor: Actor, metadata: Record<string, string>): Promise<ApiKeyView> {
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where, select: { id: true, revokedAt: true, keyPrefix: true } });
    if (!key) throw new NotFoundError("No such API key.");
    const row = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? new Date() }, select: viewSelect });
    if (!key.revokedAt) {
      await tx.auditEvent.create({ data: auditRow({ action: "api_key.revoked", actor, partnerId, target: { type: "api_key", id: key.id }, metadata: { ...metadata, prefix: key.keyPrefix } }) });
    }
    return toView(row);
  });
}

/** Whether a presented value is shaped like an API key with a valid checksum (no database involved). */
export function isWellFormedApiKey(value: string): boolean {
  return isWellFormedSecret("mg", value);
}

/**
 * Verifies an API key and counts the use: not revoked, not expired, tenant approved, owning OAuth client (if any)
 * enabled, owning person (if any) still a member of the key's partner. Malformed values never reach the database.
 *
 * The decision is cached in process by the key's digest (lib/cache/invalidation.ts): a revocation, expiry change,
 * suspension, client disablement or member removal anywhere empties every instance's cache at commit (PostgreSQL
 * NOTIFY), and without a live listening connection every call reads PostgreSQL. The key's own expiry is checked at
 * each use. Uses are counted in memory and written every second (`flushApiKeyUsage`): a crashed process loses at most
 * the last second of usage counts (never a revocation, which is a separate, synchronous write).
 * @returns the key's principal data, or null
 */
export async function verifyApiKey(value: string): Promise<VerifiedApiKey | null> {
  if (!isWellFormedApiKey(value)) return null;
  const digest = digestSecret(value);
  let cached = keyCache.get(digest);
  if (!cached) {
    const seen = generation();
    const [row] = await sql<{ id: string; partner_id: string; owner_user_id: string | null; owner_client_id: string | null; scopes: string[]; expires_at: Date | null }>`
      SELECT a.id, a.partner_id, a.owner_user_id, a.owner_client_id, a.scopes, a.expires_at
      FROM api_keys a JOIN partners p ON p.id = a.partner_id
      WHERE a.key_digest = ${digest} AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now() AT TIME ZONE 'UTC')
        AND p.status = 'approved'
        AND (a.owner_client_id IS NULL OR EXISTS (SELECT 1 FROM oauth_clients c WHERE c.id = a.owner_client_id AND c.disabled_at IS NULL))
        -- A person's key works only while they belong to the key's partner (a key minted during their removal too).
        AND (a.owner_user_id IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = a.owner_user_id AND u.partner_id = a.partner_id))`;
    if (!row) return null;
    cached = {
      key: {
        keyId: row.id,
        partnerId: row.partner_id,
        ...(row.owner_user_id ? { ownerUserId: row.owner_user_id } : {}),
        ...(row.owner_client_id ? { ownerClientId: row.owner_client_id } : {}),
        scopes: row.scopes,
      },
      expiresAt: row.expires_at?.getTime() ?? null,
    };
    keyCache.set(digest, cached, seen);
  }
  if (cached.expiresAt !== null && cached.expiresAt <= Date.now()) return null;
  countUse(cached.key.keyId);
  return cached.key;
}

const keyCache = new GenerationCache<{ key: VerifiedApiKey; expiresAt: number | null }>();

/** Uses counted since the last flush: key id → count, and when the last one happened. */
const pendingUses = new Map<string, { count: number; lastUsedAt: Date }>();
/** How often counted uses are written, ms. */
const USAGE_FLUSH_INTERVAL_MS = 1_000;
let flushTimer: NodeJS.Timeout | undefined;

function countUse(keyId: string): void {
  const pending = pendingUses.get(keyId);
  if (pending) {
    pending.count += 1;
    pending.lastUsedAt = new Date();
  } else pendingUses.set(keyId, { count: 1, lastUsedAt: new Date() });
  flushTimer ??= setInterval(() => void flushApiKeyUsage().catch(() => {}), USAGE_FLUSH_INTERVAL_MS).unref();
}

/**
 * Writes the uses counted in this process (usage_count, last_used_at and the per-day series) in one statement, and
 * forgets them. Called every second, and on shutdown; tests call it before reading counts. Counts are added, so
 * instances never overwrite one another. On failure the counts are put back for the next flush.
 */
export async function flushApiKeyUsage(): Promise<void> {
  if (pendingUses.size === 0) return;
  const batch = [...pendingUses];
  pendingUses.clear();
  const ids = batch.map(([id]) => id);
  const counts = batch.map(([, use]) => use.count);
  const lastUsed = batch.map(([, use]) => use.lastUsedAt.toISOString());
  try {
    await sql`
      WITH sc AS (SELECT set_config('synchronous_commit', 'off', true)),
      v AS (SELECT * FROM unnest(${ids}::text[], ${counts}::int[], ${lastUsed}::timestamptz[]) AS v(id, n, at)),
      k AS (
        UPDATE api_keys a SET usage_count = a.usage_count + v.n, last_used_at = GREATEST(a.last_used_at, v.at AT TIME ZONE 'UTC')
        FROM v WHERE a.id = v.id RETURNING a.id, v.n
      )
      INSERT INTO api_key_usage_days (api_key_id, day, count)
      SELECT k.id, (now() AT TIME ZONE 'UTC')::date, k.n FROM k, sc
      ON CONFLICT (api_key_id, day) DO UPDATE SET count = api_key_usage_days.count + EXCLUDED.count`;
  } catch (error) {
    for (const [id, use] of batch) {
      const pending = pendingUses.get(id);
      if (pending) pending.count += use.count;
      else pendingUses.set(id, use);
    }
    throw error;
  }
}

/**
 * Requests per UTC day for the given keys of a tenant, for the last `days` days (missing days are 0).
 * @returns one series per key: `[{ day: "2026-11-21", count }]`, oldest first
 */
export async function getApiKeyUsageByDay(partnerId: string, keyIds: string[], days = 14): Promise<Record<string, { day: string; count: number }[]>> {
  const since = new Date(Date.now() - (days - 1) * 86_400_000);
  const rows = await db.apiKeyUsageDay.findMany({
    where: { apiKeyId: { in: keyIds }, apiKey: { partnerId }, day: { gte: new Date(since.toISOString().slice(0, 10)) } },
    select: { apiKeyId: true, day: true, count: true },
  });
  const series: Record<string, { day: string; count: number }[]> = {};
  for (const id of keyIds) {
    series[id] = Array.from({ length: days }, (_, i) => ({ day: new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10), count: 0 }));
  }
  for (const row of rows) {
    const point = series[row.apiKeyId]?.find((p) => p.day === row.day.toISOString().slice(0, 10));
    if (point) point.count = row.count;
  }
  return series;
}
