/**
 * `GET /auth/me`: who the presented credential is, in the caller's own tenant. Never a secret: an API key is named
 * by its id and prefix, its owner by email (a person) or name and `client_id` (an OAuth client).
 */
import { getPartnerApiKey } from "@/lib/api-keys/api-keys";
import type { MemberPrincipal } from "@/lib/auth/policy";
import type { ApiKeyPrincipal, ServicePrincipal } from "@/lib/auth/principal";
import { getPartner } from "@/lib/partners/partner";

/** The JSON `GET /auth/me` answers; `partner` is always the caller's own. */
export type WhoAmI = { partner: { id: string; name: string } } & (
  | { kind: "user"; user: { id: string; email: string | null; name: string | null; partner_role: string } }
  | {
      kind: "api_key";
      api_key: { id: string; name: string; key_prefix: string; scopes: string[]; expires_at: Date | null };
      owner: { kind: "user"; id: string; email: string } | { kind: "oauth_client"; id: string; client_id: string; name: string };
    }
  | { kind: "service"; client_id: string; scopes: string[] }
);

/**
 * Describes the caller of `GET /auth/me`.
 * @throws NotFoundError (404) only if the caller's key or partner vanished between authorisation and this lookup
 */
export async function describeCaller(principal: MemberPrincipal | ApiKeyPrincipal | ServicePrincipal): Promise<WhoAmI> {
  const { id, name } = await getPartner(principal.partnerId);
  const partner = { id, name };
  switch (principal.kind) {
    case "user":
      return { kind: "user", user: { id: principal.userId, email: principal.email, name: principal.name, partner_role: principal.partnerRole }, partner };
    case "service":
      return { kind: "service", client_id: principal.clientId, scopes: principal.scopes, partner };
    case "api_key": {
      const key = await getPartnerApiKey(principal.partnerId, principal.keyId);
      const owner = key.owner.kind === "user" ? { kind: "user" as const, id: key.owner.id, email: key.owner.label } : { kind: "oauth_client" as const, id: key.owner.id, client_id: key.owner.clientId, name: key.owner.label };
      return { kind: "api_key", api_key: { id: key.id, name: key.name, key_prefix: key.keyPrefix, scopes: key.scopes, expires_at: key.expiresAt }, owner, partner };
    }
  }
}
