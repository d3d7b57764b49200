"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/components/confirm-action";

export function AddAllowlistEntry({ action }: { action: (previous: ActionResult, formData: FormData) => Promise<ActionResult> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-2 rounded-xl border border-slate-200 bg-white p-4">
      <label className="block text-sm">
        <span className="text-slate-700">Domain or Entra tenant id</span>
        <input name="value" required maxLength={253} placeholder="acme.com" className="mt-1 block w-72 rounded-md border border-slate-300 px-3 py-1.5" />
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? "Adding…" : "Add to allowlist"}
      </button>
      {state ? (
        <p role={state.ok ? "status" : "alert"} className={`w-full text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
