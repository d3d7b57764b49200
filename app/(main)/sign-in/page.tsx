import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { configuredProviders } from "@/lib/auth/auth";
import { publicPage } from "@/lib/auth/policies";
import { safeReturnPath } from "@/lib/http/return-path";
import { getPageUser, page } from "@/lib/next/pages";
import { Card } from "@/components/card";
import { startSignInAction } from "./actions";


export const metadata: Metadata = { title: "Sign in" };

export default page(publicPage("/sign-in"), async ({ searchParams: { callbackUrl } }) => {
  const returnTo = safeReturnPath(callbackUrl, "/start");
  if (await getPageUser("/sign-in")) redirect(returnTo);
  const providers = configuredProviders();

  return (
    <div className="mx-auto max-w-md">
      <Card>
        <h1 className="text-2xl font-bold tracking-tight">Sign in to Gatehouse</h1>
        <p className="mt-2 text-slate-700">Use your company account. New organisations are reviewed by an administrator.</p>
        <div className="mt-6 space-y-3">
          {providers.length === 0 ? (
            <p role="alert" className="rounded-md bg-amber-50 p-3 text-amber-900">
              No sign-in provider is configured. Set AUTH_GOOGLE_ID / AUTH_MICROSOFT_ENTRA_ID_ID, or run `npm run dev`.
            </p>
          ) : (
            providers.map((provider) => (
              <form key={provider.id} action={startSignInAction}>
                <input type="hidden" name="provider" value={provider.id} />
                <input type="hidden" name="callbackUrl" value={returnTo} />
                <button
                  type="submit"
                  className="w-full rounded-md border border-slate-300 bg-white px-4 py-2.5 font-medium text-slate-900 shadow-sm hover:bg-slate-50"
                >
                  {provider.label}
                </button>
              </form>
            ))
          )}
        </div>
      </Card>
    </div>
  );
}, { searchParams: ["callbackUrl"] });
