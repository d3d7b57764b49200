import type { Metadata } from "next";

export const metadata: Metadata = { title: "Signed out" };

export default function PortalSignedOutPage() {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-bold tracking-tight">You are signed out of the portal</h1>
      <p className="mt-3 text-slate-700">Open your portal link again to come back.</p>
    </div>
  );
}
