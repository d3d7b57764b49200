import { publicPage } from "@/lib/auth/policies";
import { page } from "@/lib/next/pages";
import type { Metadata } from "next";

export const metadata: Metadata = { title: "Signed out" };

export default page(publicPage("/portal/signed-out"), async () => {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-bold tracking-tight">You are signed out of the portal</h1>
      <p className="mt-3 text-slate-700">Open your portal link again to come back.</p>
    </div>
  );
});
