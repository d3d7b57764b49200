import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signIn, configuredProviders } from "@/lib/auth/auth";
import { RateLimitedError } from "@/lib/http/errors";
import { clientIp, enforceRateLimit } from "@/lib/http/rate-limit";
import { getPageUser, safeReturnPath } from "@/lib/http/pages";
import { Card } from "@/components/card";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
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
              <form
                key={provider.id}
                action={async () => {
                  "use server";
                  // Same per-IP budget as the Auth.js routes (lib/auth/handlers.ts): starting here skips them.
                  const ip = clientIp(await headers());
                  try {
                    await enforceRateLimit("sign-in", `ip:${ip}`, { ip });
                  } catch (error) {
                    if (error instanceof RateLimitedError) redirect("/sign-in/error?error=RateLimited");
                    throw error;
                  }
                  await signIn(provider.id, { redirectTo: returnTo });
                }}
              >
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
}
