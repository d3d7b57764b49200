"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/components/confirm-action";
import { ActionOutcome } from "@/components/secret-once";

export function CreateOAuthClientForm({
  action,
  partners,
  scopes,
}: {
  action: (previous: ActionResult, formData: FormData) => Promise<ActionResult>;
  partners: { id: string; name: string }[];
  scopes: { name: string; description: string }[];
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
      <h2 className="font-semibold">Register a client</h2>
      {partners.length === 0 ? <p className="text-sm text-slate-600">Approve a partner first: clients belong to one approved partner.</p> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <label className="block text-sm">
          <span className="text-slate-700">Name</span>
          <input name="name" required minLength={2} maxLength={200} placeholder="Chat service" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Partner (tenant)</span>
          <select name="partner_id" required className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5">
            {partners.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="text-sm">
        <legend className="text-slate-700">Allowed scopes</legend>
        <div className="mt-1 grid gap-1 sm:grid-cols-2">
          {scopes.map((scope) => (
            <label key={scope.name} className="flex items-center gap-2">
              <input type="checkbox" name="scopes" value={scope.name} defaultChecked={scope.name.endsWith(":read")} />
              <span className="font-mono">{scope.name}</span>
              <span className="text-slate-500">{scope.description}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label className="block text-sm">
        <span className="text-slate-700">Access-token lifetime (seconds)</span>
        <input name="access_token_ttl" type="number" min={60} max={3600} defaultValue={900} className="mt-1 block w-32 rounded-md border border-slate-300 px-3 py-1.5" />
      </label>
      <button type="submit" disabled={pending || partners.length === 0} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? "Registering…" : "Register client"}
      </button>
      <ActionOutcome state={state} secretLabel="client_secret" />
    </form>
  );
}
