/**
 * OAuth 2.0 clients (RFC 6749 §2): registered by admins for one tenant, authenticated by a 256-bit secret that is
 * shown once and stored as a SHA-256 digest.
 */
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { db, sql, type Prisma } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";
import { ConflictError, NotFoundError, OAuthError } from "@/lib/http/errors";
import { digestSecret, digestsEqual, generateSecret, isWellFormedSecret } from "@/lib/secrets/secret-format";
import { ALL_SCOPES, parseScopeParam } from "@/lib/oauth/scopes";
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from "@/lib/oauth/signing-keys";
import { revokeClientApiKeys } from "@/lib/api-keys/api-keys";
import { GenerationCache, generation } from "@/lib/cache/invalidation";

export const GRANT_TYPES = ["client_credentials"] as const;

const scopeList = z
  .union([z.string().transform(parseScopeParam), z.array(z.string().trim().min(1))])
  .pipe(z.array(z.enum(ALL_SCOPES as [string, ...string[]], { error: `each scope must be one of ${ALL_SCOPES.join(", ")}` })).min(1, "name at least one scope").max(ALL_SCOPES.length));

/** `POST /api/admin/oauth/clients` and `clients create`: the registration request. */
export const oauthClientCreateSchema = z
  .object({
    name: z.string().trim().min(2, "must be at least 2 characters").max(200),
    partner_id: z.string().trim().min(1, "is required").max(64),
    scopes: scopeList,
    default_scopes: scopeList.optional(),
    grant_types: z.array(z.enum(GRANT_TYPES)).min(1).default(["client_credentials"]),
    access_token_ttl: z.coerce.number().int().min(60).max(MAX_ACCESS_TOKEN_TTL_SECONDS).default(900),
  })
  .refine((v) => !v.default_scopes || v.default_scopes.every((s) => v.scopes.includes(s)), {
    path: ["default_scopes"],
    message: "must be a subset of scopes",
  });

export interface OAuthClientView {
  id: string;
  clientId: string;
  name: string;
  partnerId: string;
  partnerName: string;
  secretPrefix: string;
  allowedScopes: string[];
  defaultScopes: string[];
  grantTypes: string[];
  accessTokenTtlSeconds: number;
  disabledAt: Date | null;
  secretRotatedAt: Date | null;
  createdAt: Date;
}

const viewSelect = {
  id: true,
  clientId: true,
  name: true,
  partnerId: true,
  secretPrefix: true,
  allowedScopes: true,
  defaultScopes: true,
  grantTypes: true,
  accessTokenTtlSeconds: true,
  disabledAt: true,
  secretRotatedAt: true,
  createdAt: true,
  partner: { select: { name: true } },
} as const;

function toView({ partner, ...row }: Prisma.OAuthClientGetPayload<{ select: typeof viewSelect }>): OAuthClientView {
  return { ...row, partnerName: partner.name };
}

type Actor = AdminActor;

function audit(tx: Prisma.TransactionClient, action: string, actor: Actor, client: { id: string; partnerId: string; clientId: string }, metadata: Prisma.InputJsonObject = {}) {
  return tx.auditEvent.create({
    data: auditRow({ action, actor: { type: actor.type, id: actor.id }, partnerId: client.partnerId, target: { type: "oauth_client", id: client.id }, metadata: { clientId: client.clientId, ...metadata } }),
  });
}

/**
 * Registers a client for an approved partner.
 * @returns the client and its secret (shown once; only the digest is stored)
 * @throws ZodError for bad input; NotFoundError (404) for an unknown partner; ConflictError (409) when it is not approved
 */
export async function createOAuthClientAsAdmin(input: unknown, actor: Actor): Promise<{ client: OAuthClientView; clientSecret: string }> {
  assertAdminActor(actor);
  const data = oauthClientCreateSchema.parse(input);
  const secret = generateSecret("gcs");
  const client = await db.$transaction(async (tx) => {
    const partner = await tx.partner.findUnique({ where: { id: data.partner_id }, select: { status: true } });
    if (!partner) throw new NotFoundError("No such partner.");
    if (partner.status !== "approved") throw new ConflictError("OAuth clients can only be registered for approved partners.");
    const row = await tx.oAuthClient.create({
      data: {
        clientId: `gc_${randomBytes(16).toString("base64url")}`,
        name: data.name,
        partnerId: data.partner_id,
        secretDigest: secret.digest,
        secretPrefix: secret.displayPrefix,
        allowedScopes: data.scopes,
        defaultScopes: data.default_scopes ?? data.scopes,
        grantTypes: data.grant_types,
        accessTokenTtlSeconds: data.access_token_ttl,
        createdById: actor.id ?? null,
      },
      select: viewSelect,
    });
    await audit(tx, "oauth_client.created", actor, row, { scopes: data.scopes });
    return toView(row);
  });
  return { client, clientSecret: secret.secret };
}

/**
 * Applies one admin change to a client and audits it, in one transaction. With `revokeApiKeys`, the API keys the
 * client obtained through `POST /auth/client` are revoked in that same transaction (they were bought with the
 * credentials the change invalidates), so re-enabling a client never brings them back.
 */
async function mutate(id: string, actor: Actor, action: string, data: Prisma.OAuthClientUpdateInput, options: { revokeApiKeys?: boolean } = {}): Promise<OAuthClientView> {
  assertAdminActor(actor);
  return db.$transaction(async (tx) => {
    const existing = await tx.oAuthClient.findUnique({ where: { id }, select: { id: true } });
    if (!existing) throw new NotFoundError("No such OAuth client.");
    const row = await tx.oAuthClient.update({ where: { id }, data, select: viewSelect });
    const revokedApiKeys = options.revokeApiKeys ? await revokeClientApiKeys(tx, row, actor, action) : 0;
    await audit(tx, action, actor, row, options.revokeApiKeys ? { revokedApiKeys } : {});
    return toView(row);
  });
}

/**
 * Replaces a client's secret; the old one stops working at once, and the API keys the client obtained through
 * `POST /auth/client` are revoked (same transaction, audited). Access tokens already issued stay valid until they
 * expire (revoke them, or disable the client, to end them).
 * @returns the new secret (shown once)
 * @throws NotFoundError (404)
 */
export async function rotateOAuthClientSecretAsAdmin(id: string, actor: Actor): Promise<{ client: OAuthClientView; clientSecret: string }> {
  const secret = generateSecret("gcs");
  const client = await mutate(id, actor, "oauth_client.secret_rotated", { secretDigest: secret.digest, secretPrefix: secret.displayPrefix, secretRotatedAt: new Date() }, { revokeApiKeys: true });
  return { client, clientSecret: secret.secret };
}

/**
 * Disables a client: it cannot get tokens, its tokens are refused on their next use, and its API keys from
 * `POST /auth/client` are revoked (for good: enabling the client again does not revive them). @throws NotFoundError
 */
export function disableOAuthClientAsAdmin(id: string, actor: Actor): Promise<OAuthClientView> {
  return mutate(id, actor, "oauth_client.disabled", { disabledAt: new Date() }, { revokeApiKeys: true });
}

/** Re-enables a disabled client. @throws NotFoundError */
export function enableOAuthClientAsAdmin(id: string, actor: Actor): Promise<OAuthClientView> {
  return mutate(id, actor, "oauth_client.enabled", { disabledAt: null });
}

/**
 * Deletes a client; its tokens are refused on their next use. Its API keys from `POST /auth/client` are revoked and
 * audited first, then go with it (the foreign key cascades), in the same transaction. @throws NotFoundError
 */
export async function deleteOAuthClientAsAdmin(id: string, actor: Actor): Promise<void> {
  assertAdminActor(actor);
  await db.$transaction(async (tx) => {
    const existing = await tx.oAuthClient.findUnique({ where: { id }, select: { id: true, partnerId: true, clientId: true } });
    if (!existing) throw new NotFoundError("No such OAuth client.");
    const revokedApiKeys = await revokeClientApiKeys(tx, existing, actor, "oauth_client.deleted");
    await tx.oAuthClient.delete({ where: { id } });
    await audit(tx, "oauth_client.deleted", actor, existing, { revokedApiKeys });
  });
}

/**
 * Lists clients, newest first, optionally for one partner; page-numbered (pageSize ≤ 100).
 * @throws ForbiddenError (403) without a minted admin actor
 */
export async function listOAuthClientsAsAdmin(admin: AdminActor, options: { partnerId?: string; page?: number; pageSize?: number } = {}): Promise<{ clients: OAuthClientView[]; total: number }> {
  assertAdminActor(admin);
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const where = options.partnerId ? { partnerId: options.partnerId } : {};
  const [rows, total] = await db.$transaction([
    db.oAuthClient.findMany({ where, select: viewSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.oAuthClient.count({ where }),
  ]);
  return { clients: rows.map(toView), total };
}

export interface AuthenticatedClient {
  id: string;
  clientId: string;
  partnerId: string;
  allowedScopes: string[];
  defaultScopes: string[];
  grantTypes: string[];
  accessTokenTtlSeconds: number;
}

type ClientRow = Omit<AuthenticatedClient, "id"> & { id: string; secretDigest: string; disabled: boolean; approved: boolean };

/**
 * The client and its partner's status, cached in process (lib/cache/invalidation.ts: a disabled client, a rotated
 * secret, changed scopes or a partner's status change empties every instance's cache at commit; without a live
 * listening connection every call reads PostgreSQL). Unknown ids are not cached.
 */
async function clientRow(clientId: string): Promise<ClientRow | undefined> {
  const cached = clientCache.get(clientId);
  if (cached) return cached;
  const seen = generation();
  // Raw SQL on this hot path (every token request): the ORM's per-call query compilation cost more CPU than the
  // rest of the endpoint (bench/NOTES.md).
  const [row] = await sql<ClientRow>`
    SELECT c.id, c.client_id AS "clientId", c.partner_id AS "partnerId", c.secret_digest AS "secretDigest",
           c.allowed_scopes AS "allowedScopes", c.default_scopes AS "defaultScopes", c.grant_types AS "grantTypes",
           c.access_token_ttl_seconds AS "accessTokenTtlSeconds", c.disabled_at IS NOT NULL AS disabled, p.status = 'approved' AS approved
    FROM oauth_clients c JOIN partners p ON p.id = c.partner_id
    WHERE c.client_id = ${clientId}`;
  if (row) clientCache.set(clientId, row, seen);
  return row;
}

const clientCache = new GenerationCache<ClientRow>();

// Compared against when the client_id is unknown, so unknown-client and wrong-secret take the same path and time.
const DUMMY_DIGEST = digestSecret("gcs_unknown-client");

/**
 * Client authentication (RFC 6749 §2.3.1). Unknown client, wrong secret, disabled client and a client of a partner
 * that is not approved all answer the same `invalid_client`: nothing tells an attacker which part was wrong.
 * @param options.basic whether credentials came in `Authorization: Basic` (the 401 then carries a Basic challenge)
 * @throws OAuthError `invalid_client` (401)
 */
export async function authenticateClient(clientId: string, clientSecret: string, options: { basic: boolean }): Promise<AuthenticatedClient> {
  const fail = () =>
    new OAuthError("invalid_client", "Client authentication failed.", { headers: options.basic ? { "WWW-Authenticate": 'Basic realm="gatehouse"' } : {} });
  if (clientId.length > 100) throw fail();
  const wellFormed = isWellFormedSecret("gcs", clientSecret);
  const row = await clientRow(clientId);
  const matches = digestsEqual(wellFormed ? digestSecret(clientSecret) : DUMMY_DIGEST, row?.secretDigest ?? DUMMY_DIGEST);
  if (!row || !wellFormed || !matches || row.disabled || !row.approved) throw fail();
  const { secretDigest: _digest, disabled: _disabled, approved: _approved, ...client } = row;
  return client;
}
