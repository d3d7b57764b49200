/**
 * GitHub sign-in (OAuth 2.0, not OpenID Connect). GitHub has no organisation claim and its `/user` email is the
 * public profile address, which nobody verified for us: Gatehouse uses only the address `/user/emails` lists as
 * `verified: true, primary: true`, and a GitHub user joins a partner only through an invitation to that address
 * (lib/partners/invitations.ts), never by domain.
 */
import GitHub from "next-auth/providers/github";
import type { GitHubProviderConfig } from "@/lib/config";

interface GitHubEmail {
  email: string;
  verified: boolean;
  primary: boolean;
}

/**
 * The verified primary address among GitHub's `/user/emails` entries, lower-cased, or null.
 * @param emails the JSON body of GET /user/emails (anything else yields null)
 */
export function verifiedPrimaryEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const primary = (emails as Partial<GitHubEmail>[]).find((e) => e && e.primary === true && e.verified === true && typeof e.email === "string");
  return primary ? primary.email!.trim().toLowerCase() : null;
}

/**
 * Fetches the GitHub user and their verified primary email with the access token.
 * @returns the `/user` profile with `email` replaced by the verified primary address (or null) and `email_verified`
 *          true exactly when there is one (what isEmailVouchedFor("github") reads)
 * @throws Error when GitHub does not answer 200 to /user
 */
export async function fetchGitHubProfile(apiUrl: string, accessToken: string): Promise<Record<string, unknown>> {
  const headers = { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json", "User-Agent": "gatehouse" };
  const userResponse = await fetch(`${apiUrl}/user`, { headers });
  if (!userResponse.ok) throw new Error(`GitHub /user answered ${userResponse.status}`);
  const user = (await userResponse.json()) as Record<string, unknown>;
  const emailsResponse = await fetch(`${apiUrl}/user/emails`, { headers });
  const email = emailsResponse.ok ? verifiedPrimaryEmail(await emailsResponse.json()) : null;
  return { ...user, email, email_verified: email !== null };
}

/** The Auth.js GitHub provider pointed at `config`'s endpoints (github.com by default, or the local emulator). */
export function gitHubProvider(config: GitHubProviderConfig) {
  return GitHub({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    issuer: `${config.webUrl}/login/oauth`,
    authorization: { url: `${config.webUrl}/login/oauth/authorize`, params: { scope: "read:user user:email" } },
    token: `${config.webUrl}/login/oauth/access_token`,
    userinfo: {
      url: `${config.apiUrl}/user`,
      request: ({ tokens }: { tokens: { access_token?: string } }) => fetchGitHubProfile(config.apiUrl, tokens.access_token ?? ""),
    },
    profile: (profile) => {
      const p = profile as unknown as Record<string, unknown>;
      return { id: String(p.id), name: typeof p.name === "string" && p.name ? p.name : String(p.login ?? ""), email: typeof p.email === "string" ? p.email : null, image: null };
    },
    checks: ["pkce", "state"],
    // Linking by email is decided in callbacks.signIn: only the verified primary address is ever used.
    allowDangerousEmailAccountLinking: true,
  });
}
