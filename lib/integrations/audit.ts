/**
 * The audit entries integrations write: `integration.<action>`, targeting the integration, in its partner's log
 * (lib/audit). One shape for every integrations module, so the integration page's trail reads them all alike.
 */
import type { AuditActorType, AuditEntry } from "@/lib/audit/record-audit";

/** Who changes an integration: the principal of the request, as the audit log names it. */
export interface IntegrationActor {
  type: AuditActorType;
  id: string;
}

/** What request context an audit entry carries (the route passes it through). */
export interface RequestMeta {
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/**
 * The audit entry for `integration.<action>` on one integration.
 * @param actor a request's principal, or the system (a sync worker, a token refresh)
 * @param metadata small, secret-free facts
 */
export function integrationAudit(
  action: string,
  integration: { partnerId: string; id: string },
  actor: AuditEntry["actor"],
  metadata: Record<string, string | number | boolean | null> = {},
  meta: RequestMeta = {},
): AuditEntry {
  return {
    action: `integration.${action}`,
    actor,
    partnerId: integration.partnerId,
    target: { type: "integration", id: integration.id },
    ip: meta.ip,
    userAgent: meta.userAgent,
    requestId: meta.requestId,
    metadata,
  };
}
