/**
 * Which organisation a sign-in comes from. The partner (tenant) is identified by the identity provider's own
 * organisation id, never by something the person can choose: Google Workspace `hd`, Microsoft Entra `tid`.
 */

/** Entra's tenant for personal Microsoft accounts (MSA); not an organisation. */
export const ENTRA_CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

export type SignInOrganization =
  | { kind: "organization"; provider: "google" | "microsoft-entra-id"; organization: string; domain: string; suggestedName: string }
  | { kind: "personal"; provider: string; domain: string | null };

/** The lower-cased domain of an email address, or null. */
export function emailDomain(email: string | null | undefined): string | null {
  const at = email?.lastIndexOf("@") ?? -1;
  if (!email || at < 1 || at === email.length - 1) return null;
  return email.slice(at + 1).toLowerCase();
}

/**
 * Classifies a sign-in by its ID-token claims.
 * @param provider Auth.js provider id
 * @param claims   ID-token claims (`hd` for Google; `tid` for Entra) and the email
 * @returns the organisation, or `personal` for gmail-style Google accounts (no `hd`) and the Entra consumer tenant
 */
export function identifyOrganization(provider: string, claims: { email?: string | null; hd?: unknown; tid?: unknown }): SignInOrganization {
  const domain = emailDomain(claims.email);
  if (provider === "google") {
    const hd = typeof claims.hd === "string" ? claims.hd.trim().toLowerCase() : "";
    if (!hd) return { kind: "personal", provider, domain };
    return { kind: "organization", provider, organization: hd, domain: hd, suggestedName: hd };
  }
  if (provider === "microsoft-entra-id") {
    const tid = typeof claims.tid === "string" ? claims.tid.trim().toLowerCase() : "";
    if (!/^[0-9a-f-]{36}$/.test(tid) || tid === ENTRA_CONSUMER_TENANT_ID || !domain) return { kind: "personal", provider, domain };
    return { kind: "organization", provider, organization: tid, domain, suggestedName: domain };
  }
  return { kind: "personal", provider, domain };
}

/**
 * Whether the identity provider vouches for the email address. Only a vouched-for email may link this sign-in to an
 * existing Gatehouse user, grant the admin role through ADMIN_EMAILS, match an allow-listed email domain, claim a
 * partner pre-created for its domain, or be stored on the user at all. Google: `email_verified: true`. Entra has
 * no `email_verified`; its optional `xms_edov` claim says the email's domain is verified by the tenant.
 */
export function isEmailVouchedFor(provider: string, claims: { email_verified?: unknown; xms_edov?: unknown }): boolean {
  if (provider === "google") return claims.email_verified === true;
  if (provider === "microsoft-entra-id") return claims.xms_edov === true || claims.xms_edov === "1" || claims.xms_edov === "true";
  // GitHub: set only by githubUserinfo (lib/auth/github.ts) when /user/emails lists the address verified and primary.
  if (provider === "github") return claims.email_verified === true;
  return false;
}

/**
 * The email address the ID token claims, lower-cased: `email`, else (Entra) `preferred_username` when it looks like
 * one. Not trusted by itself: see isEmailVouchedFor.
 */
export function claimedEmail(claims: { email?: unknown; preferred_username?: unknown }): string | null {
  const value = typeof claims.email === "string" && claims.email ? claims.email : typeof claims.preferred_username === "string" ? claims.preferred_username : "";
  return emailDomain(value) ? value.trim().toLowerCase() : null;
}

/**
 * The Auth.js user for an Entra ID token. The email is kept only when Entra vouches for it (`xms_edov`); otherwise
 * the user is stored with NO email. Storing an unverified address would let any tenant admin squat someone else's
 * address (it is unique) and pre-hijack their account: the real owner's later, verified sign-in would be linked to
 * the squatter's user. The claimed address still names the organisation's domain as an untrusted label.
 */
export function entraUser(profile: Record<string, unknown>): { id: string; name: string | null; email: string | null; image: null } {
  const email = claimedEmail(profile);
  return {
    id: String(profile.sub),
    name: typeof profile.name === "string" && profile.name ? profile.name : email,
    email: isEmailVouchedFor("microsoft-entra-id", profile) ? email : null,
    image: null,
  };
}
