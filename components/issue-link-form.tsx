"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/components/confirm-action";
import { ActionOutcome } from "@/components/secret-once";

/** Issues a portal link: label, expiry (default PORTAL_LINK_TTL_DAYS), optional email to a contact. The URL is shown once. */
export function IssueLinkForm({ action, clientId, defaultExpiryDays }: { action: (previous: ActionResult, formData: FormData) => Promise<ActionResult>; clientId: string; defaultExpiryDays: number }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
      <input type="hidden" name="clientId" value={clientId} />
      <div className="flex flex-wrap items-end gap-3">
        <label className="block text-sm">
          <span className="text-slate-700">Label</span>
          <input name="label" required maxLength={100} placeholder="e.g. Jane at Acme" className="mt-1 block w-56 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Expires after (days, 1–365)</span>
          <input name="expires_in_days" type="number" min={1} max={365} defaultValue={defaultExpiryDays} required className="mt-1 block w-28 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Email it to (optional)</span>
          <input name="email" type="email" maxLength={254} className="mt-1 block w-64 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
          {pending ? "Creating…" : "Create link"}
        </button>
      </div>
      <ActionOutcome state={state} secretLabel="Portal link" />
    </form>
  );
}
