/**
 * Risk levels (docs/ARCHITECTURE.md "Integrations"): each connector names the rules that apply to a resource; the
 * level is the worst rule that matched, and every matched rule's reason is kept, so the page can say why.
 */
import { RISK_LEVELS, type Risk, type RiskLevel } from "@/lib/integrations/types";

/** One rule: whether it matched, the level it sets, and the reason shown to the partner. */
export type RiskRule = readonly [matched: boolean | null | undefined, level: RiskLevel, reason: string];

/**
 * The worst level among the matched rules, with their reasons (worst first); `low` with no reasons when none matched.
 * @example assessRisk([[user.mfa === false, "high", "Console access without MFA"]])
 */
export function assessRisk(rules: readonly RiskRule[]): Risk {
  const matched = rules.filter(([hit]) => hit).sort((a, b) => RISK_LEVELS.indexOf(a[1]) - RISK_LEVELS.indexOf(b[1]));
  return { level: matched[0]?.[1] ?? "low", reasons: matched.map(([, , reason]) => reason) };
}
