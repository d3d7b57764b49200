"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/components/confirm-action";
import { ActionOutcome } from "@/components/secret-once";

/** Registers an app client by hand (an MCP client or IDE that neither publishes a metadata document nor registers itself). */
export function CreateAppClientForm({ action }: { action: (previous: ActionResult, formData: FormData) => Promise<ActionResult> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
      <h2 className="font-semibold">Register an application</h2>
      <label className="block text-sm">
        <span className="text-slate-700">Name</span>
        <input name="name" required minLength={2} maxLength={200} placeholder="Team IDE" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 sm:w-96" />
      </label>
      <label className="block text-sm">
        <span className="text-slate-700">Redirect URIs (one per line)</span>
        <textarea
          name="redirect_uris"
          required
          rows={3}
          placeholder="https://app.example.com/oauth/callback"
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 font-mono text-xs"
        />
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="confidential" />
        <span className="text-slate-700">Confidential (has a client secret)</span>
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60" data-testid="register-app-client">
        {pending ? "Registering…" : "Register application"}
      </button>
      <ActionOutcome state={state} secretLabel="client_secret" />
    </form>
  );
}
