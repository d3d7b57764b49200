"use client";

import { useState } from "react";

/** A button that copies `text` to the clipboard and then says "Copied". */
export function CopyButton({ text, ariaLabel, className }: { text: string; ariaLabel?: string; className: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={ariaLabel}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true));
      }}
      className={className}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

/** A block of text to paste elsewhere (a trust policy, a template), with a copy button. Not a secret. */
export function CopyBlock({ label, text }: { label: string; text: string }) {
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between">
        <p className="text-sm font-medium text-slate-800">{label}</p>
        <CopyButton text={text} ariaLabel={`Copy ${label}`} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-50" />
      </div>
      <pre className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">{text}</pre>
    </div>
  );
}
