"use server";

import { redirect } from "next/navigation";
import { configuredProviders, signIn } from "@/lib/auth/auth";
import { definePolicy } from "@/lib/auth/policy";
import { RateLimitedError } from "@/lib/http/errors";
import { safeReturnPath } from "@/lib/http/return-path";
import { authorizeAction, formDataOf, formField } from "@/lib/next/actions";

/**
 * Starting a sign-in: anyone, from Gatehouse's own sign-in page, within the per-IP sign-in budget the Auth.js routes
 * share (lib/auth/handlers.ts): starting here skips those routes' own count.
 */
const START_SIGN_IN = definePolicy({ accept: "public", rateLimit: "sign-in", csrf: "always", errors: "app-page" });

/** Sends the browser to the chosen identity provider (Auth.js), then back to `callbackUrl` (same-origin only). */
export async function startSignInAction(...args: unknown[]): Promise<void> {
  const form = formDataOf(args);
  const provider = configuredProviders().find((p) => p.id === formField(form, "provider"));
  if (!provider) redirect("/sign-in");
  try {
    await authorizeAction(START_SIGN_IN);
  } catch (error) {
    if (error instanceof RateLimitedError) redirect("/sign-in/error?error=RateLimited");
    throw error;
  }
  await signIn(provider.id, { redirectTo: safeReturnPath(formField(form, "callbackUrl"), "/start") });
}
