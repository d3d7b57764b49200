/**
 * App clients: OAuth clients that act for people through the authorization code grant with PKCE (MCP clients, IDEs,
 * desktop assistants). They belong to no tenant; each person's grant does (lib/oauth/authorization.ts).
 *
 * Three ways a client becomes known (MCP authorization spec 2025-11-25, "Client Registration"):
 * - a Client ID Metadata Document: the `client_id` is an https URL, fetched with SSRF defences
 *   (lib/oauth/client-metadata-document.ts) and cached in `app_clients` per its HTTP caching headers;
 * - RFC 7591 dynamic registration (`POST /oauth/register`): rate limited per IP, and deleted when nobody has
 *   authorized it within a day;
 * - an admin registers it (public, or confidential with a secret shown once).
 * Admins can block any of them everywhere: no authorization, no token, and every grant to it is revoked.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { db, type Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { auditRow, recordAudit } from "@/lib/audit/record-audit";
import { NotFoundError, OAuthError } from "@/lib/http/errors";
import { logger } from "@/lib/http/logger";
import { ClientMetadataError, fetchClientMetadataDocument, isAcceptableRedirectUri, isClientMetadataDocumentUrl, type ClientMetadataDocument } from "@/lib/oauth/client-metadata-document";
import { digestSecret, digestsEqual, generateSecret, isWellFormedSecret } from "@/lib/secrets/secret-format";

/** Prefix of registered (dynamic or admin) client ids; metadata-document clients use their URL. */
export const APP_CLIENT_ID_PREFIX = "ga_";
/** How long a dynamic registration nobody has authorized lives, ms. */
const UNUSED_REGISTRATION_TTL_MS = 24 * 3_600_000;
export const APP_CLIENT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"] as const;
export type AppClientAuthMethod = (typeof APP_CLIENT_AUTH_METHODS)[number];

/** An app client as the authorization and token endpoints need it. */
export interface AppClient {
  /** app_clients.id (row id). */
  id: string;
  /** The public `client_id`. */
  clientId: string;
  registration: "metadata_document" | "dynamic" | "admin";
  name: string;
  logoUri: string | null;
  clientUri: string | null;
  redirectUris: string[];
  tokenEndpointAuthMethod: AppClientAuthMethod;
  blocked: boolean;
}

/** An app client's failure the person at the authorization endpoint is shown (never redirected: RFC 6749 §4.1.2.1). */
export class UnknownClientError extends Error {}

const clientSelect = {
  id: true,
  clientId: true,
  registration: true,
  name: true,
  logoUri: true,
  clientUri: true,
  redirectUris: true,
  tokenEndpointAuthMethod: true,
  blockedAt: true,
  metadataCachedUntil: true,
} as const;
type ClientRow = Prisma.AppClientGetPayload<{ select: typeof clientSelect }>;

function toAppClient(row: ClientRow): AppClient {
  return {
    id: row.id,
    clientId: row.clientId,
    registration: row.registration,
    name: row.name,
    logoUri: row.logoUri,
    clientUri: row.clientUri,
    redirectUris: row.redirectUris,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod as AppClientAuthMethod,
    blocked: row.blockedAt !== null,
  };
}

/**
 * Finds the client a `client_id` names, for the authorization endpoint. A metadata-document `client_id` is fetched
 * (or refetched once its cache has expired) and its document stored; a blocked client stays blocked across refetches.
 * @returns the client (check `blocked` before authorizing)
 * @throws UnknownClientError with a message for the person: unknown id, or a document that cannot be fetched or is invalid
 */
export async function resolveAppClient(clientId: string): Promise<AppClient> {
  // Control characters (a NUL would make PostgreSQL refuse the query) never name a client.
  if (clientId.length === 0 || clientId.length > 2048 || /[\u0000-\u001f\u007f]/.test(clientId)) throw new UnknownClientError("The client_id is missing, too long or malformed.");
  const allowPrivateAddresses = getConfig().allowPrivateClientMetadata;
  const row = await db.appClient.findUnique({ where: { clientId }, select: clientSelect });
  if (!isClientMetadataDocumentUrl(clientId, { allowPrivateAddresses })) {
    if (!row || row.registration === "metadata_document") throw new UnknownClientError("This application is not registered with Gatehouse.");
    return toAppClient(row);
  }
  if (row && row.metadataCachedUntil && row.metadataCachedUntil.getTime() > Date.now()) return toAppClient(row);
  // In production only the default https port: a client_id must not make Gatehouse probe other services' ports.
  if (!allowPrivateAddresses && new URL(clientId).port !== "") throw new UnknownClientError(METADATA_UNUSABLE);
  const failedUntil = recentFailures.get(clientId);
  if (failedUntil !== undefined && failedUntil > Date.now()) throw new UnknownClientError(METADATA_UNUSABLE);
  let fetched: { document: ClientMetadataDocument; cacheUntil: number };
  try {
    fetched = await fetchClientMetadataDocument(clientId, { allowPrivateAddresses });
  } catch (error) {
    if (!(error instanceof ClientMetadataError)) throw error;
    // The reason stays in the log: telling the person would tell whoever chose the URL what Gatehouse's network sees.
    logger.warn({ clientId: clientId.slice(0, 200), reason: error.reason }, "client metadata document refused");
    if (recentFailures.size >= MAX_REMEMBERED_FAILURES) recentFailures.clear();
    recentFailures.set(clientId, Date.now() + FAILURE_MEMORY_MS);
    throw new UnknownClientError(METADATA_UNUSABLE);
  }
  const { document } = fetched;
  const fields = {
    name: (document.client_name ?? new URL(clientId).host).slice(0, 200),
    logoUri: document.logo_uri ?? null,
    clientUri: document.client_uri ?? null,
    redirectUris: document.redirect_uris,
    tokenEndpointAuthMethod: "none",
    metadataCachedUntil: new Date(fetched.cacheUntil),
  };
  const saved = await db.$transaction(async (tx) => {
    const client = await tx.appClient.upsert({ where: { clientId }, create: { clientId, registration: "metadata_document", ...fields }, update: fields, select: clientSelect });
    const redirectsChanged = row !== null && [...row.redirectUris].sort().join(" ") !== [...document.redirect_uris].sort().join(" ");
    if (!row || redirectsChanged) {
      await tx.auditEvent.create({
        data: auditRow({
          action: row ? "oauth.app_client_updated" : "oauth.app_client_registered",
          actor: { type: "anonymous" },
          target: { type: "app_client", id: client.id },
          metadata: { clientId: clientId.slice(0, 500), registration: "metadata_document", name: fields.name, redirectHosts: document.redirect_uris.map(hostOf) },
        }),
      });
    }
    return client;
  });
  // Housekeeping: documents fetched long ago that nobody authorized (anyone signed in can make Gatehouse fetch one).
  if (Math.random() < 0.01) {
    void db.appClient.deleteMany({ where: { registration: "metadata_document", metadataCachedUntil: { lt: new Date(Date.now() - 86_400_000) }, grants: { none: {} }, blockedAt: null } }).catch(() => {});
  }
  return toAppClient(saved);
}

const METADATA_UNUSABLE = "Gatehouse could not fetch a valid client metadata document from this application's client_id URL.";
/** A document that could not be used is not fetched again for a minute (per instance), ms. */
const FAILURE_MEMORY_MS = 60_000;
const MAX_REMEMBERED_FAILURES = 1000;
const recentFailures = new Map<string, number>();

/** What an app client presented at the token endpoint (RFC 6749 §2.3; `none` when only `client_id` was sent). */
export interface AppClientAuthentication {
  clientId: string;
  clientSecret?: string;
  basic: boolean;
}

// Compared against when the client is unknown or public, so every failure takes the same path.
const DUMMY_DIGEST = digestSecret("gas_unknown-client");

/**
 * Authenticates an app client at the token endpoint: a public client (`none`) sends its `client_id` only and must
 * not send a secret; a confidential one must send its secret by the method it registered. Unknown, blocked and
 * wrongly authenticated clients all answer the same `invalid_client`.
 * @throws OAuthError `invalid_client` (401)
 */
export async function authenticateAppClient(credentials: AppClientAuthentication): Promise<AppClient> {
  const fail = () => new OAuthError("invalid_client", "Client authentication failed.", { headers: credentials.basic ? { "WWW-Authenticate": 'Basic realm="gatehouse"' } : {} });
  if (credentials.clientId.length > 2048) throw fail();
  // Text PostgreSQL cannot store (a NUL) is bad input, as everywhere else, not a failed authentication.
  if (/[\u0000-\u001f\u007f]/.test(credentials.clientId)) throw new OAuthError("invalid_request", "The client_id contains control characters.");
  const row = await db.appClient.findUnique({ where: { clientId: credentials.clientId }, select: { ...clientSelect, secretDigest: true } });
  const presented = credentials.clientSecret;
  const wellFormed = presented !== undefined && isWellFormedSecret("gas", presented);
  const matches = digestsEqual(wellFormed ? digestSecret(presented) : DUMMY_DIGEST, row?.secretDigest ?? DUMMY_DIGEST);
  if (!row || row.blockedAt) throw fail();
  const method = row.tokenEndpointAuthMethod as AppClientAuthMethod;
  if (method === "none") {
    if (presented !== undefined) throw fail();
  } else {
    const usedMethod = credentials.basic ? "client_secret_basic" : "client_secret_post";
    if (!wellFormed || !matches || usedMethod !== method) throw fail();
  }
  return toAppClient(row);
}

// ---------------------------------------------------------------------------------------------------------------
// RFC 7591 dynamic registration

const redirectUri = z
  .string()
  .max(2000)
  .refine((value) => isAcceptableRedirectUri(value), { message: "must be an absolute https URL, an http loopback URL (RFC 8252 §7.3) or a private-use scheme (RFC 8252 §7.1), without a fragment" });

/** RFC 7591 §2 client metadata Gatehouse accepts (unknown fields are ignored, §2). */
const registrationSchema = z.object({
  redirect_uris: z.array(redirectUri).min(1, "name at least one redirect URI").max(10),
  client_name: z.string().trim().min(1).max(200).optional(),
  client_uri: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  logo_uri: z.url({ protocol: /^https$/ }).max(2000).optional(),
  token_endpoint_auth_method: z.enum(APP_CLIENT_AUTH_METHODS).default("client_secret_basic"),
  grant_types: z.array(z.enum(["authorization_code", "refresh_token"])).min(1).default(["authorization_code"]),
  response_types: z.array(z.literal("code")).min(1).default(["code"]),
  scope: z.string().max(500).optional(),
  software_id: z.string().max(200).optional(),
  software_version: z.string().max(100).optional(),
});

/**
 * `POST /oauth/register` (RFC 7591 §3.1): registers a client. Registrations nobody authorizes within a day are
 * deleted (each registration also sweeps the expired ones). Audited as `oauth.app_client_registered`.
 * @param input the JSON body
 * @returns the RFC 7591 §3.2.1 response body (with `client_secret` for confidential clients: shown once, stored as a digest)
 * @throws OAuthError `invalid_redirect_uri` or `invalid_client_metadata` (400, RFC 7591 §3.2.2)
 */
export async function registerDynamicClient(input: unknown, context: { ip: string | null; requestId?: string }): Promise<Record<string, unknown>> {
  const parsed = registrationSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "body";
    throw new OAuthError(field.startsWith("redirect_uris") ? "invalid_redirect_uri" : "invalid_client_metadata", `${field}: ${issue.message}`);
  }
  const data = parsed.data;
  if (data.grant_types.includes("refresh_token") && !data.grant_types.includes("authorization_code")) {
    throw new OAuthError("invalid_client_metadata", "grant_types: refresh_token needs authorization_code");
  }
  const confidential = data.token_endpoint_auth_method !== "none";
  const secret = confidential ? generateSecret("gas") : undefined;
  const clientId = `${APP_CLIENT_ID_PREFIX}${randomBytes(16).toString("base64url")}`;
  const now = new Date();
  await db.$transaction(async (tx) => {
    await tx.appClient.deleteMany({ where: { registration: "dynamic", unusedExpiresAt: { lt: now }, grants: { none: {} } } });
    const row = await tx.appClient.create({
      data: {
        clientId,
        registration: "dynamic",
        name: data.client_name ?? "Unnamed application",
        logoUri: data.logo_uri ?? null,
        clientUri: data.client_uri ?? null,
        redirectUris: data.redirect_uris,
        tokenEndpointAuthMethod: data.token_endpoint_auth_method,
        secretDigest: secret?.digest ?? null,
        secretPrefix: secret?.displayPrefix ?? null,
        unusedExpiresAt: new Date(now.getTime() + UNUSED_REGISTRATION_TTL_MS),
      },
      select: { id: true },
    });
    await tx.auditEvent.create({
      data: auditRow({
        action: "oauth.app_client_registered",
        actor: { type: "anonymous" },
        target: { type: "app_client", id: row.id },
        ip: context.ip,
        requestId: context.requestId,
        metadata: { clientId, registration: "dynamic", name: data.client_name ?? null, redirectHosts: data.redirect_uris.map(hostOf) },
      }),
    });
  });
  return {
    client_id: clientId,
    ...(secret ? { client_secret: secret.secret, client_secret_expires_at: 0 } : {}),
    client_id_issued_at: Math.floor(now.getTime() / 1000),
    client_name: data.client_name,
    client_uri: data.client_uri,
    logo_uri: data.logo_uri,
    redirect_uris: data.redirect_uris,
    token_endpoint_auth_method: data.token_endpoint_auth_method,
    grant_types: data.grant_types,
    response_types: data.response_types,
    ...(data.scope ? { scope: data.scope } : {}),
  };
}

/** The host a redirect URI sends people to (what the consent page shows), or the URI's scheme for private-use schemes. */
export function hostOf(uri: string): string {
  try {
    const url = new URL(uri);
    return url.host || `${url.protocol}//`;
  } catch {
    return uri.slice(0, 80);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Admin console

export interface AppClientView extends AppClient {
  blockedAt: Date | null;
  createdAt: Date;
  /** People with a live grant to this client. */
  grantCount: number;
}

/**
 * Lists app clients, newest first, page-numbered (pageSize ≤ 100), with their live grant counts.
 * @throws ForbiddenError without a minted admin actor
 */
export async function listAppClientsAsAdmin(admin: AdminActor, options: { page?: number; pageSize?: number } = {}): Promise<{ clients: AppClientView[]; total: number }> {
  assertAdminActor(admin);
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const [rows, total] = await db.$transaction([
    db.appClient.findMany({
      select: { ...clientSelect, createdAt: true, _count: { select: { grants: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db.appClient.count(),
  ]);
  return { clients: rows.map((row) => ({ ...toAppClient(row), blockedAt: row.blockedAt, createdAt: row.createdAt, grantCount: row._count.grants })), total };
}

const adminRegistrationSchema = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(200),
  redirect_uris: z
    .union([z.string().transform((s) => s.split(/\s+/).filter(Boolean)), z.array(z.string())])
    .pipe(z.array(redirectUri).min(1, "name at least one redirect URI").max(10)),
  confidential: z.coerce.boolean().default(false),
});

/**
 * Registers an app client by an admin: public (PKCE only) or confidential (`client_secret_basic`, secret shown once).
 * @throws ZodError for bad input; ForbiddenError without a minted admin actor
 */
export async function createAppClientAsAdmin(input: unknown, admin: AdminActor): Promise<{ client: AppClient; clientSecret?: string }> {
  assertAdminActor(admin);
  const data = adminRegistrationSchema.parse(input);
  const secret = data.confidential ? generateSecret("gas") : undefined;
  const client = await db.$transaction(async (tx) => {
    const row = await tx.appClient.create({
      data: {
        clientId: `${APP_CLIENT_ID_PREFIX}${randomBytes(16).toString("base64url")}`,
        registration: "admin",
        name: data.name,
        redirectUris: data.redirect_uris,
        tokenEndpointAuthMethod: secret ? "client_secret_basic" : "none",
        secretDigest: secret?.digest ?? null,
        secretPrefix: secret?.displayPrefix ?? null,
        createdById: admin.id ?? null,
      },
      select: clientSelect,
    });
    await tx.auditEvent.create({
      data: auditRow({ action: "oauth.app_client_registered", actor: { type: admin.type, id: admin.id }, target: { type: "app_client", id: row.id }, metadata: { clientId: row.clientId, registration: "admin", confidential: Boolean(secret) } }),
    });
    return toAppClient(row);
  });
  return { client, clientSecret: secret?.secret };
}

/**
 * Blocks an app client everywhere: the authorization endpoint refuses it, the token endpoint answers
 * `invalid_client`, its access tokens are refused on their next use, and every grant to it is deleted (audited with
 * the count; unblocking does not bring them back).
 * @throws NotFoundError (404); ForbiddenError without a minted admin actor
 */
export async function blockAppClientAsAdmin(id: string, admin: AdminActor): Promise<void> {
  assertAdminActor(admin);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new NotFoundError("No such application.");
  await db.$transaction(async (tx) => {
    const row = await tx.appClient.findUnique({ where: { id }, select: { id: true, clientId: true, blockedAt: true } });
    if (!row) throw new NotFoundError("No such application.");
    if (row.blockedAt) return;
    await tx.appClient.update({ where: { id }, data: { blockedAt: new Date(), blockedById: admin.id ?? null } });
    const { count } = await tx.oAuthGrant.deleteMany({ where: { appClientId: id } });
    await recordAudit({ action: "oauth.app_client_blocked", actor: { type: admin.type, id: admin.id }, target: { type: "app_client", id }, metadata: { clientId: row.clientId, revokedGrants: count } }, tx);
  });
}

/** Lifts a block; people must authorize the client again. @throws NotFoundError (404) */
export async function unblockAppClientAsAdmin(id: string, admin: AdminActor): Promise<void> {
  assertAdminActor(admin);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new NotFoundError("No such application.");
  await db.$transaction(async (tx) => {
    const row = await tx.appClient.findUnique({ where: { id }, select: { id: true, clientId: true, blockedAt: true } });
    if (!row) throw new NotFoundError("No such application.");
    if (!row.blockedAt) return;
    await tx.appClient.update({ where: { id }, data: { blockedAt: null, blockedById: null } });
    await recordAudit({ action: "oauth.app_client_unblocked", actor: { type: admin.type, id: admin.id }, target: { type: "app_client", id }, metadata: { clientId: row.clientId } }, tx);
  });
}

/** Marks a client as authorized at least once, so an unused dynamic registration's expiry no longer applies. */
export function markAppClientUsed(tx: Prisma.TransactionClient, appClientId: string): Promise<unknown> {
  return tx.$executeRaw`UPDATE app_clients SET unused_expires_at = NULL WHERE id = ${appClientId} AND unused_expires_at IS NOT NULL`;
}
