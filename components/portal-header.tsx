/** Top of every portal page: who the portal is for, the preview marker, and sign-out. */
export function PortalHeader({ clientName, preview }: { clientName: string; preview: boolean }) {
  return (
    <div className="mb-8 space-y-4">
      {preview ? (
        <p role="note" data-testid="preview-banner" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm font-medium text-amber-900">
          Preview: you are viewing the client portal as {clientName} would see it.
        </p>
      ) : null}
      <div className="flex items-center justify-between">
        <div>
          <p className="text-sm uppercase tracking-wide text-slate-500">Client portal</p>
          <p className="text-xl font-semibold" data-testid="portal-client-name">
            {clientName}
          </p>
        </div>
        <form action="/portal/logout" method="post">
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}
