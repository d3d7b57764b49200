/**
 * The Auth.js database-session cookie. Edge-safe (no Node imports): middleware.ts uses it for coarse gating,
 * and lib/auth/principal.ts for the real check against the `sessions` table.
 */

/** Auth.js v5 session cookie name; `__Secure-` prefixed when cookies are Secure (https origins). */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Secure-authjs.session-token" : "authjs.session-token";
}

/** Both possible names, for readers that do not know the deployment's scheme (middleware). */
export const SESSION_COOKIE_NAMES = [sessionCookieName(true), sessionCookieName(false)] as const;
