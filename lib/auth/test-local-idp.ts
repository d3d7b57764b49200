/**
 * The one switch that lets a PRODUCTION build (`next start`) sign in through the local test issuer, for the e2e
 * layer only. Edge-safe (no Node imports): lib/config.ts enforces the rules (and refuses to start when they are not
 * met), middleware.ts uses the same predicate to allow the issuer's origin in CSP form-action.
 *
 * On only when ALL hold:
 *   - GATEHOUSE_TEST_LOCAL_IDP is exactly `1`;
 *   - LOCAL_IDP_URL is an http:// URL on a loopback host (localhost, 127.0.0.0/8, [::1]);
 *   - AUTH_URL (the app's public origin) is on a loopback host too: sign-in redirects, callbacks and cookies then
 *     only work for a browser on this machine, and the issuer (which lets anyone sign in as anyone) is reachable
 *     only from it. (The app process may still listen on every interface; the e2e server binds localhost.)
 */

/** The switch's name (error messages and docs quote it). */
export const TEST_LOCAL_IDP_VARIABLE = "GATEHOUSE_TEST_LOCAL_IDP";

/** Whether `url` parses and its host is loopback: `localhost`, 127.0.0.0/8 or `[::1]` (after WHATWG normalisation). */
export function isLoopbackUrl(url: string | undefined, protocols: readonly string[] = ["http:", "https:"]): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!protocols.includes(parsed.protocol) || parsed.username || parsed.password) return false;
  const host = parsed.hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Problems with the switch in `env` (empty when it is off, or on and allowed). Each names the variable.
 * @param env a process.env-like record
 */
export function testLocalIdpProblems(env: Record<string, string | undefined>): string[] {
  const value = env[TEST_LOCAL_IDP_VARIABLE]?.trim();
  if (!value) return [];
  if (value !== "1") return [`${TEST_LOCAL_IDP_VARIABLE}: must be 1 or unset (got "${value}")`];
  const problems: string[] = [];
  if (!isLoopbackUrl(env.LOCAL_IDP_URL, ["http:"])) {
    problems.push(`${TEST_LOCAL_IDP_VARIABLE}=1 needs LOCAL_IDP_URL to be an http:// loopback URL (localhost, 127.0.0.0/8, [::1]); got ${env.LOCAL_IDP_URL ? `"${env.LOCAL_IDP_URL}"` : "nothing"}`);
  }
  if (!isLoopbackUrl(env.AUTH_URL)) {
    problems.push(`${TEST_LOCAL_IDP_VARIABLE}=1 needs AUTH_URL to be a loopback URL (localhost, 127.0.0.0/8, [::1]); got ${env.AUTH_URL ? `"${env.AUTH_URL}"` : "nothing"}`);
  }
  return problems;
}

/** Whether the switch is on and every rule holds (a production build may then use LOCAL_IDP_URL). */
export function testLocalIdpEnabled(env: Record<string, string | undefined>): boolean {
  return env[TEST_LOCAL_IDP_VARIABLE]?.trim() === "1" && testLocalIdpProblems(env).length === 0;
}
