"use client";

import { useState } from "react";

/** A secret shown once: selectable text, a copy button, and the warning that it will not be shown again. */
export function SecretOnce({ secret, label = "Secret" }: { secret: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950">
      <p className="text-sm font-medium">{label}: copy it now. It will not be shown again.</p>
      <div className="flex items-center gap-2">
        <code data-testid="secret-value" className="block flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs">
          {secret}
        </code>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
          }}
          className="rounded-md border border-amber-400 bg-white px-2 py-1 text-xs"
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
