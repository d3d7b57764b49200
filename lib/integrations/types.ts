/**
 * The shapes shared by integrations (docs/ARCHITECTURE.md "Integrations"): what a provider's connector reads, and
 * the context the sync engine (lib/integrations/sync.ts) gives it.
 */
import type { IntegrationProvider, IntegrationStatus } from "@prisma/client";

export type { IntegrationProvider, IntegrationStatus };

export const PROVIDERS = ["aws", "google", "okta", "entra"] as const satisfies readonly IntegrationProvider[];

/** What a sync stores. Memberships are not a type: a user's `attributes.groups` lists its groups' external ids. */
export const RESOURCE_TYPES = ["user", "group", "role", "policy"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const RISK_LEVELS = ["critical", "high", "medium", "low"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** A risk level with the reasons that set it (plain sentences, e.g. "Console access without MFA"). */
export interface Risk {
  level: RiskLevel;
  reasons: string[];
}

/** One thing a connector found. `attributes` are provider facts (never a credential); `groups`/`roles` on users. */
export interface FoundResource {
  type: ResourceType;
  /** The provider's stable id (an AWS ARN, an Okta/Google/Entra object id). */
  externalId: string;
  name: string;
  email?: string | null;
  attributes: Record<string, unknown>;
  risk: Risk;
}

/** The integration row as connectors see it (credentials still sealed). */
export interface IntegrationRecord {
  id: string;
  partnerId: string;
  provider: IntegrationProvider;
  name: string;
  status: IntegrationStatus;
  externalId: string | null;
  roleArn: string | null;
  accountId: string | null;
  directory: string | null;
  grantedScopes: string[];
  credentials: string | null;
  credentialsKeyId: string | null;
}

/** What the sync engine hands a connector for one run. */
export interface SyncContext {
  integration: IntegrationRecord;
  /** Aborted when the run passes the sync timeout; pass it to every request. */
  signal: AbortSignal;
  /** Resources per type the run keeps (INTEGRATION_RESOURCE_LIMIT, 5,000). Read one more to know a type was cut. */
  limit: number;
  /**
   * Keeps a resource. Returns false once its type already holds `limit` resources: the type is then marked
   * truncated (the job ends `partial`), and the connector should stop paging it.
   */
  add(resource: FoundResource): boolean;
  /** Reports how many of a type were read so far (the live sync banner); cheap, call it per page. */
  progress(type: ResourceType, read: number): void;
  /** Writes an `integration.<action>` audit event for this integration (e.g. `credential_used`). */
  audit(action: string, metadata?: Record<string, string | number | boolean>): Promise<void>;
}

/** A provider's reader: fetches everything and calls `ctx.add`. Throws on failure (the job ends `failed`). */
export interface Connector {
  sync(ctx: SyncContext): Promise<void>;
}

/** A failure whose message is safe to show to the partner (no token, no stack): the job's `error`. */
export class IntegrationError extends Error {
  override name = "IntegrationError";
  /** `reconnect_needed`: the provider refused our refresh token (invalid_grant). */
  constructor(message: string, readonly code: "provider_error" | "reconnect_needed" | "access_denied" | "throttled" = "provider_error") {
    super(message);
  }
}
