"use client";

import { useActionState } from "react";
import { SecretOnce } from "@/components/secret-once";

/** What a server action tells the page. `secret` is shown once (with a copy button) and never stored client-side. */
export type ActionResult = { ok: boolean; message: string; secret?: string } | null;

/**
 * A consequential action behind a confirmation step: the first click opens the confirmation, the second does it.
 * Built on <details> and a server-action form, so it works before (and without) hydration.
 * With `reasonLabel`, the confirmation asks for a reason (required) that is sent as `reason`.
 */
export function ConfirmAction({
  action,
  fields,
  label,
  confirmLabel,
  prompt,
  reasonLabel,
  tone = "primary",
}: {
  action: (previous: ActionResult, formData: FormData) => Promise<ActionResult>;
  fields: Record<string, string>;
  label: string;
  confirmLabel: string;
  prompt: string;
  reasonLabel?: string;
  tone?: "primary" | "danger";
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const colors = tone === "danger" ? "bg-red-600 hover:bg-red-700" : "bg-brand-600 hover:bg-brand-700";

  if (state?.ok) {
    return (
      <div role="status" className="space-y-2 text-sm text-emerald-700">
        <p>{state.message}</p>
        {state.secret ? <SecretOnce secret={state.secret} /> : null}
      </div>
    );
  }
  return (
    <details className="group">
      <summary role="button" className={`cursor-pointer list-none rounded-md px-3 py-1.5 text-sm font-medium text-white group-open:hidden ${colors}`}>
        {label}
      </summary>
      <form action={formAction} className="mt-2 w-72 space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3">
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <p className="text-sm text-slate-800">{prompt}</p>
        {reasonLabel ? (
          <label className="block text-sm">
            <span className="text-slate-700">{reasonLabel}</span>
            <textarea name="reason" required minLength={3} maxLength={500} rows={2} className="mt-1 block w-full rounded-md border border-slate-300 p-2" />
          </label>
        ) : null}
        <div className="flex gap-2">
          <button type="submit" disabled={pending} className={`rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60 ${colors}`}>
            {pending ? "Working…" : confirmLabel}
          </button>
          <button
            type="button"
            onClick={(event) => event.currentTarget.closest("details")?.removeAttribute("open")}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm"
          >
            Cancel
          </button>
        </div>
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {state.message}
          </p>
        ) : null}
      </form>
    </details>
  );
}
