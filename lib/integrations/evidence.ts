/**
 * Evidence bundles (docs/ARCHITECTURE.md "Integrations"): an integration's resources and the job that produced them,
 * as one JWS in compact serialisation (RFC 7515 §7.1) signed with EdDSA (RFC 8037) by Gatehouse's access-token
 * signing key, so anyone can verify a bundle against the keys published at `/.well-known/jwks.json`. An auditor keeps
 * the file; changing one byte of it makes verification fail.
 */
import { CompactSign, compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { recordAudit } from "@/lib/audit/record-audit";
import { db } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/http/errors";
import { integrationAudit, type IntegrationActor, type RequestMeta } from "@/lib/integrations/audit";
import { getSigningKey } from "@/lib/oauth/signing-keys";
import { issuerUrl } from "@/lib/oauth/scopes";

/** The JWS `typ` of an evidence bundle (RFC 7515 §4.1.9). */
export const EVIDENCE_TYP = "gatehouse-evidence+jws";

/** What a bundle asserts. Times are ISO 8601 strings; `iat` is seconds since the epoch (RFC 7519 §4.1.6). */
export interface EvidencePayload {
  iss: string;
  iat: number;
  integration: { id: string; partner_id: string; provider: string; name: string; account_id: string | null; directory: string | null };
  job: { id: string; status: string; started_at: string | null; finished_at: string | null; counts: unknown; truncated: string[] };
  resource_count: number;
  resources: { type: string; external_id: string; name: string; email: string | null; risk_level: string; risk_reasons: string[]; attributes: unknown; updated_at: string }[];
}

/**
 * Builds and signs the bundle for the integration's latest finished sync.
 * @returns the compact JWS and a file name for it
 * @throws NotFoundError outside the tenant; ConflictError (409) when no sync has finished yet
 */
export async function exportEvidence(partnerId: string, integrationId: string, actor: IntegrationActor, meta: RequestMeta = {}): Promise<{ jws: string; filename: string }> {
  const integration = await db.integration.findFirst({ where: { id: integrationId, partnerId }, select: { id: true, partnerId: true, provider: true, name: true, accountId: true, directory: true } });
  if (!integration) throw new NotFoundError("Integration not found");
  const job = await db.syncJob.findFirst({
    where: { integrationId, partnerId, status: { in: ["succeeded", "partial", "timed_out"] } },
    orderBy: { finishedAt: "desc" },
    select: { id: true, status: true, startedAt: true, finishedAt: true, counts: true, truncated: true },
  });
  if (!job) throw new ConflictError("No sync of this integration has finished yet");
  // What that job saw: a partial or timed-out run leaves older rows in place, which it does not vouch for.
  const resources = await db.integrationResource.findMany({
    where: { integrationId, partnerId, lastSeenJobId: job.id },
    orderBy: [{ type: "asc" }, { externalId: "asc" }],
    select: { type: true, externalId: true, name: true, email: true, riskLevel: true, riskReasons: true, attributes: true, updatedAt: true },
  });
  const payload: EvidencePayload = {
    iss: issuerUrl(),
    iat: Math.floor(Date.now() / 1000),
    integration: { id: integration.id, partner_id: integration.partnerId, provider: integration.provider, name: integration.name, account_id: integration.accountId, directory: integration.directory },
    job: { id: job.id, status: job.status, started_at: job.startedAt?.toISOString() ?? null, finished_at: job.finishedAt?.toISOString() ?? null, counts: job.counts, truncated: job.truncated },
    resource_count: resources.length,
    resources: resources.map((r) => ({ type: r.type, external_id: r.externalId, name: r.name, email: r.email, risk_level: r.riskLevel, risk_reasons: r.riskReasons, attributes: r.attributes, updated_at: r.updatedAt.toISOString() })),
  };
  const { kid, key } = await getSigningKey();
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "EdDSA", kid, typ: EVIDENCE_TYP }).sign(key);
  await recordAudit(integrationAudit("evidence_exported", integration, actor, { job_id: job.id, resource_count: resources.length, kid }, meta));
  const day = new Date().toISOString().slice(0, 10);
  return { jws, filename: `gatehouse-evidence-${integration.provider}-${integration.id}-${day}.jws` };
}

/**
 * Verifies a bundle against a JWK Set (Gatehouse's `/.well-known/jwks.json`): the signature, `alg` EdDSA and `typ`.
 * @returns the payload
 * @throws Error (jose's JWSSignatureVerificationFailed, JWSInvalid…) for a tampered or foreign bundle
 */
export async function verifyEvidence(jws: string, jwks: JSONWebKeySet): Promise<EvidencePayload> {
  const { payload, protectedHeader } = await compactVerify(jws.trim(), createLocalJWKSet(jwks), { algorithms: ["EdDSA"] });
  if (protectedHeader.typ !== EVIDENCE_TYP) throw new Error(`not an evidence bundle (typ ${String(protectedHeader.typ)})`);
  return JSON.parse(new TextDecoder().decode(payload)) as EvidencePayload;
}
