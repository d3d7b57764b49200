import type { RiskLevel } from "@/lib/integrations/types";

const COLORS: Record<RiskLevel, string> = {
  critical: "bg-red-600 text-white",
  high: "bg-orange-500 text-white",
  medium: "bg-amber-200 text-amber-950",
  low: "bg-slate-200 text-slate-800",
};

/** A resource's risk level as a coloured badge (the word is always shown: colour is never the only signal). */
export function RiskBadge({ level, count }: { level: RiskLevel; count?: number }) {
  return (
    <span data-testid={`risk-${level}`} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ${COLORS[level]}`}>
      {level}
      {count !== undefined ? <span>{count}</span> : null}
    </span>
  );
}
