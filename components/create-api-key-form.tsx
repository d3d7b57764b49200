"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/components/confirm-action";
import { ActionOutcome } from "@/components/secret-once";

const SCOPES = [
  { name: "mcp:tools", description: "Use the MCP tools", checked: true },
  { name: "partner:read", description: "Read your organisation (partner API)", checked: true },
  { name: "groups:read", description: "Read groups", checked: true },
  { name: "members:read", description: "Read memberships", checked: true },
  { name: "groups:write", description: "Change groups", checked: false },
  { name: "members:write", description: "Change memberships", checked: false },
];

/** Creates a key; `defaultExpiryDays` is API_KEY_DEFAULT_TTL_DAYS, used when the days field is left empty. */
export function CreateApiKeyForm({ action, defaultExpiryDays }: { action: (previous: ActionResult, formData: FormData) => Promise<ActionResult>; defaultExpiryDays: number }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="block text-sm">
          <span className="text-slate-700">Key name</span>
          <input name="name" required maxLength={100} placeholder="Claude Desktop" className="mt-1 block w-64 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Expires after (days)</span>
          <input name="expires_in_days" type="number" min={1} max={3650} placeholder={String(defaultExpiryDays)} className="mt-1 block w-28 rounded-md border border-slate-300 px-3 py-1.5" />
        </label>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" name="never_expires" />
          <span className="text-slate-700">Never expires</span>
        </label>
      </div>
      <fieldset className="text-sm">
        <legend className="text-slate-700">Scopes</legend>
        <div className="mt-1 grid gap-1 sm:grid-cols-2">
          {SCOPES.map((scope) => (
            <label key={scope.name} className="flex items-center gap-2">
              <input type="checkbox" name="scopes" value={scope.name} defaultChecked={scope.checked} />
              <span className="font-mono">{scope.name}</span>
              <span className="text-slate-500">{scope.description}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? "Creating…" : "Create API key"}
      </button>
      <ActionOutcome state={state} secretLabel="API key" />
    </form>
  );
}
