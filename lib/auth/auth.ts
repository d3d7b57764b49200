/**
 * Auth.js v5 configuration: the one file that yields every sign-in entry point (docs/STYLE.md, Auth.js example).
 *
 * OpenID Connect with Google Workspace and Microsoft Entra ID (PKCE + state + nonce), and GitHub's OAuth 2.0 for
 * invited people only (lib/auth/github.ts: its verified primary email, never a domain); database sessions through
 * the Prisma adapter. Outside production the providers can point at the local test issuer (LOCAL_IDP_URL) and the
 * local GitHub emulator (LOCAL_GITHUB_URL).
 * Sessions are *read* by lib/auth/principal.ts (one query, 503 on a database outage) rather than by `auth()`,
 * which would treat an unreachable database as "signed out".
 */
import NextAuth, { type NextAuthConfig } from "next-auth";
import Google from "next-auth/providers/google";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { headers } from "next/headers";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db";
import { recordAuditInBackground } from "@/lib/audit/record-audit";
import { logger } from "@/lib/http/logger";
import { clientIp } from "@/lib/rate-limit/client-ip";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { claimedEmail, entraUser, identifyOrganization, isEmailVouchedFor } from "@/lib/partners/organization";
import { afterSignIn, completeSignIn } from "@/lib/partners/signup";
import { hasPendingInvitation } from "@/lib/partners/invitations";
import { gitHubProvider } from "@/lib/auth/github";


async function requestContext(): Promise<{ ip: string | null; userAgent: string | null; requestId: string | null }> {
  try {
    const h = await headers();
    return {
      // The same address the rate limiter counts (never the client-written first X-Forwarded-For entry).
      ip: clientIp({ headers: h }),
      userAgent: h.get("user-agent"),
      requestId: h.get("x-request-id"),
    };
  } catch {
    return { ip: null, userAgent: null, requestId: null };
  }
}

function buildConfig(): NextAuthConfig {
  const config = getConfig();
  const providers: NextAuthConfig["providers"] = [];
  if (config.google) {
    providers.push(
      Google({
        clientId: config.google.clientId,
        clientSecret: config.google.clientSecret,
        issuer: config.google.issuer,
        checks: ["pkce", "state", "nonce"],
        // Linking by email is decided in callbacks.signIn, only when the IdP vouches for the email.
        allowDangerousEmailAccountLinking: true,
      }),
    );
  }
  if (config.entra) {
    const entra = MicrosoftEntraID({
      clientId: config.entra.clientId,
      clientSecret: config.entra.clientSecret,
      issuer: config.entra.issuer,
      checks: ["pkce", "state", "nonce"],
      allowDangerousEmailAccountLinking: true,
      // The stock profile() fetches a photo from Microsoft Graph on every sign-in; Gatehouse needs no photo
      // and must not depend on Graph being reachable to let someone in.
      // The email is stored only when Entra vouches for it (entraUser says why).
      profile: (profile) => entraUser(profile as unknown as Record<string, unknown>),
    });
    // Against the local test issuer, drop Auth.js's internal Entra hooks (symbol-keyed): they re-discover the
    // issuer per `tid` without allowing http://, which only a real https Entra endpoint satisfies.
    providers.push(config.localIdpUrl ? (Object.fromEntries(Object.entries(entra)) as typeof entra) : entra);
  }
  if (config.github) providers.push(gitHubProvider(config.github));

  const adapter = PrismaAdapter(db);

  return {
    adapter: {
      ...adapter,
      // The device list on /me shows each session's browser: record its User-Agent when the session is created.
      async createSession(session) {
        const { userAgent } = await requestContext();
        return db.session.create({ data: { ...session, userAgent: userAgent?.slice(0, 300) ?? null, lastSeenAt: new Date() } });
      },
    },
    secret: config.authSecret,
    providers,
    // `maxAge` is the idle lifetime; lib/auth/principal.ts moves `expires` forward while a session is used and ends
    // every session SESSION_MAX_LIFETIME_HOURS after sign-in whatever its `expires` says.
    session: { strategy: "database", maxAge: config.sessions.idleHours * 3600, updateAge: 5 * 60 },
    useSecureCookies: config.secureCookies,
    cookies: { sessionToken: { name: sessionCookieName(config.secureCookies) } },
    trustHost: true,
    pages: { signIn: "/sign-in", error: "/sign-in/error" },
    callbacks: {
      // Refusals happen here, before any user or account row is written (events cannot refuse).
      async signIn({ account, profile, user }) {
        if (!account) return false;
        const isGitHub = account.provider === "github" && account.type === "oauth";
        if (account.type !== "oidc" && !isGitHub) return false;
        const claims = (profile ?? {}) as Record<string, unknown>;
        // GitHub: only the verified primary address of /user/emails counts (lib/auth/github.ts).
        if (isGitHub && !user.email) return "/sign-in/error?error=GitHubEmailNotVerified";
        // The claimed address (user.email is null for an Entra email Entra does not vouch for: see entraUser).
        const email = user.email?.toLowerCase() ?? claimedEmail(claims);
        if (!email) return "/sign-in/error?error=EmailRequired";
        if (account.provider === "google" && claims.email_verified !== true) return "/sign-in/error?error=EmailNotVerified";
        const vouched = isEmailVouchedFor(account.provider, claims);

        const existingUser = await db.user.findUnique({ where: { email }, select: { id: true, role: true, partnerId: true } });
        if (existingUser) {
          const linked = await db.account.findUnique({
            where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
            select: { userId: true },
          });
          // Linking this sign-in to an existing person by email only when the IdP vouches for the email; otherwise
          // someone who controls an unverified address could take over that person's account.
          if (!linked && !vouched) return "/sign-in/error?error=OAuthAccountNotLinked";
        }
        const organization = identifyOrganization(account.provider, { email, hd: claims.hd, tid: claims.tid });
        // An unverified address proves nothing: it neither is an admin's nor makes one.
        const isAdmin = vouched && (existingUser?.role === "admin" || config.adminEmails.includes(email));
        if (isGitHub) {
          // No organisation claim: a GitHub user joins only through an invitation to their verified primary email.
          if (isAdmin || existingUser?.partnerId) return true;
          return (await hasPendingInvitation(email)) ? true : "/sign-in/error?error=GitHubNotInvited";
        }
        if (organization.kind === "personal" && !config.allowPersonalAccounts && !isAdmin && !(vouched && (await hasPendingInvitation(email)))) {
          return "/sign-in/error?error=PersonalAccount";
        }
        return true;
      },
    },
    events: {
      async signIn({ user, account, profile, isNewUser }) {
        if (!user.id || !account) return;
        const claims = (profile ?? {}) as Record<string, unknown>;
        const organization = identifyOrganization(account.provider, { email: user.email ?? claimedEmail(claims), hd: claims.hd, tid: claims.tid });
        const outcome = await completeSignIn({
          userId: user.id,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          organization,
          isNewUser: Boolean(isNewUser),
          emailVouched: isEmailVouchedFor(account.provider, claims),
          context: await requestContext(),
        });
        afterSignIn(outcome);
      },
      async signOut(message) {
        const userId = "session" in message && message.session ? message.session.userId : undefined;
        const context = await requestContext();
        recordAuditInBackground({ action: "auth.sign_out", actor: { type: "user", id: userId ?? null }, ...context });
      },
    },
    logger: {
      error(error) {
        const type = (error as { type?: string }).type ?? error.name;
        const cause = (error as { cause?: { err?: Error } }).cause?.err ?? (error.cause instanceof Error ? error.cause : undefined);
        logger.warn({ authError: type, cause: cause?.message }, "sign-in failed");
        // Refused sign-ins (tampered state, replayed callback, wrong issuer) are security events: audit them.
        void requestContext().then((context) =>
          recordAuditInBackground({
            action: "auth.sign_in_failed",
            actor: { type: "anonymous" },
            ...context,
            metadata: { reason: type, detail: cause?.message?.slice(0, 200) ?? null },
          }),
        );
      },
      warn(code) {
        logger.warn({ authWarning: code }, "auth.js warning");
      },
      debug() {},
    },
  };
}

export const { handlers, signIn, signOut, auth } = NextAuth(() => buildConfig());

/** Provider ids and labels that are configured, for the sign-in page. */
export function configuredProviders(): { id: "google" | "microsoft-entra-id" | "github"; label: string }[] {
  const config = getConfig();
  return [
    ...(config.google ? [{ id: "google" as const, label: "Continue with Google" }] : []),
    ...(config.entra ? [{ id: "microsoft-entra-id" as const, label: "Continue with Microsoft" }] : []),
    ...(config.github ? [{ id: "github" as const, label: "Continue with GitHub (invited people)" }] : []),
  ];
}
