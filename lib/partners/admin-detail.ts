/**
 * Everything an admin sees about one partner on `/admin/partners/{id}`: the partner, its members, OAuth clients,
 * API keys (display prefixes only: never a secret or a digest), portal clients, its status history and its latest
 * audit events. Cross-tenant by design, hence `…AsAdmin`.
 */
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { searchAuditEventsAsAdmin, type AuditEventView } from "@/lib/audit/search";
import { db } from "@/lib/db";
import { getPartnerAsAdmin, type PartnerAdminView } from "@/lib/partners/approval";

export interface PartnerDetail {
  partner: PartnerAdminView;
  members: { id: string; email: string | null; name: string | null; partnerRole: string | null; lastSignInAt: Date | null }[];
  oauthClients: { id: string; clientId: string; name: string; allowedScopes: string[]; disabledAt: Date | null; createdAt: Date }[];
  apiKeys: { id: string; name: string; keyPrefix: string; scopes: string[]; ownerUserId: string | null; ownerClientId: string | null; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null; createdAt: Date }[];
  portalClients: { id: string; name: string; slug: string; active: boolean; createdAt: Date }[];
  /** `partner.*` audit events, newest first (at most 20). */
  statusHistory: AuditEventView[];
  /** The latest audit events of the partner (at most 10). */
  recentAudit: AuditEventView[];
}

/** How many rows of each list the page shows; the audit link shows the rest. */
const LIST_LIMIT = 100;

/**
 * @throws NotFoundError (404) for an unknown partner; ForbiddenError (403) without a minted admin actor
 */
export async function getPartnerDetailAsAdmin(admin: AdminActor, partnerId: string): Promise<PartnerDetail> {
  assertAdminActor(admin);
  const partner = await getPartnerAsAdmin(admin, partnerId);
  const [members, oauthClients, apiKeys, portalClients, history, recent] = await Promise.all([
    db.user.findMany({ where: { partnerId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: LIST_LIMIT, select: { id: true, email: true, name: true, partnerRole: true, lastSignInAt: true } }),
    db.oAuthClient.findMany({ where: { partnerId }, orderBy: { createdAt: "desc" }, take: LIST_LIMIT, select: { id: true, clientId: true, name: true, allowedScopes: true, disabledAt: true, createdAt: true } }),
    db.apiKey.findMany({
      where: { partnerId },
      orderBy: { createdAt: "desc" },
      take: LIST_LIMIT,
      select: { id: true, name: true, keyPrefix: true, scopes: true, ownerUserId: true, ownerClientId: true, lastUsedAt: true, expiresAt: true, revokedAt: true, createdAt: true },
    }),
    db.client.findMany({ where: { partnerId, previewForProjectId: null }, orderBy: { createdAt: "desc" }, take: LIST_LIMIT, select: { id: true, name: true, slug: true, active: true, createdAt: true } }),
    searchAuditEventsAsAdmin(admin, { partner_id: partnerId, action: "partner.*", limit: 20 }),
    searchAuditEventsAsAdmin(admin, { partner_id: partnerId, limit: 10 }),
  ]);
  return { partner, members, oauthClients, apiKeys, portalClients, statusHistory: history.events, recentAudit: recent.events };
}
