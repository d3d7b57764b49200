import { ACCESS_REQUIRED_BODY, ACCESS_REQUIRED_TITLE } from "@/lib/http/html-pages";

/** Rendered with status 401 by `unauthorized()`: the client portal's access-required page. */
export default function AccessRequired() {
  return (
    <main id="main" className="mx-auto max-w-xl px-6 py-16">
      <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-bold tracking-tight">{ACCESS_REQUIRED_TITLE}</h1>
        <p className="mt-3 text-slate-700">{ACCESS_REQUIRED_BODY}</p>
        <p className="mt-3 text-sm text-slate-500">Portal links are personal. If you were signed in before, your access may have been withdrawn.</p>
      </div>
    </main>
  );
}
