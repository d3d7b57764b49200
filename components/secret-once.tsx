"use client";

import type { ActionResult } from "@/components/confirm-action";
import { CopyButton } from "@/components/copy-block";

/** A secret shown once: selectable text, a copy button, and the warning that it will not be shown again. */
export function SecretOnce({ secret, label = "Secret" }: { secret: string; label?: string }) {
  return (
    <div className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950">
      <p className="text-sm font-medium">{label}: copy it now. It will not be shown again.</p>
      <div className="flex items-center gap-2">
        <code data-testid="secret-value" className="block flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs">
          {secret}
        </code>
        <CopyButton text={secret} className="rounded-md border border-amber-400 bg-white px-2 py-1 text-xs" />
      </div>
    </div>
  );
}

/** A form action's outcome: its message (a status, or an alert when it failed) and the secret it made, shown once. */
export function ActionOutcome({ state, secretLabel }: { state: ActionResult | null | undefined; secretLabel: string }) {
  if (!state) return null;
  return (
    <div role={state.ok ? "status" : "alert"} className={`space-y-2 text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
      <p>{state.message}</p>
      {state.secret ? <SecretOnce secret={state.secret} label={secretLabel} /> : null}
    </div>
  );
}
