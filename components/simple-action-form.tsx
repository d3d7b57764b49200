"use client";

import { useActionState, type ReactNode } from "react";
import type { ActionResult } from "@/components/confirm-action";

/** A form bound to a server action that reports its result next to the submit button. */
export function SimpleActionForm({
  action,
  children,
  submitLabel,
  pendingLabel,
  className,
}: {
  action: (previous: ActionResult, formData: FormData) => Promise<ActionResult>;
  children: ReactNode;
  submitLabel: string;
  pendingLabel: string;
  className?: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className={className ?? "flex flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-4"}>
      {children}
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? pendingLabel : submitLabel}
      </button>
      {state ? (
        <p role={state.ok ? "status" : "alert"} className={`w-full text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
