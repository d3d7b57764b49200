import { publicPage } from "@/lib/auth/policies";
import { page } from "@/lib/next/pages";
import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/card";

export const metadata: Metadata = { title: "Sign-in failed" };

/** Auth.js error types (and Gatehouse's own) → what the person can do about it. Unknown types get the default. */
const MESSAGES: Record<string, { title: string; body: string }> = {
  Configuration: {
    title: "We could not verify that sign-in",
    body: "The response from your identity provider did not pass our checks. This happens when a sign-in link is used twice, has expired, or was altered on the way. Nothing was signed in. Start again from the sign-in page.",
  },
  AccessDenied: { title: "Access denied", body: "Your account is not allowed to sign in to Gatehouse." },
  OAuthAccountNotLinked: {
    title: "This email is already used by another sign-in method",
    body: "Sign in with the provider you used before. Accounts are linked only when the identity provider vouches for the email address.",
  },
  OAuthCallbackError: { title: "The identity provider refused the sign-in", body: "Try again, or ask your IT administrator whether Gatehouse is allowed for your account." },
  EmailRequired: { title: "Your account has no email address", body: "Gatehouse needs a verified work email address to sign you in." },
  EmailNotVerified: { title: "Your email address is not verified", body: "Your identity provider does not vouch for your email address, so Gatehouse cannot sign you in with it." },
  PersonalAccount: {
    title: "Personal accounts can't sign up",
    body: "Gatehouse is for partner organisations. Sign in with your company's Google Workspace or Microsoft Entra ID account, not a personal Gmail or Microsoft account.",
  },
  GitHubNotInvited: {
    title: "GitHub sign-in needs an invitation",
    body: "GitHub accounts belong to no organisation, so they join a partner only by invitation. Ask an owner or admin of your organisation to invite your GitHub account's verified primary email, then sign in again.",
  },
  GitHubEmailNotVerified: {
    title: "Your GitHub account has no verified primary email",
    body: "Verify your primary email address in GitHub's settings (Emails), then sign in again. Gatehouse only uses an address GitHub has verified.",
  },
  RateLimited: {
    title: "Too many sign-in attempts",
    body: "Too many sign-ins were started from your network in the last minute. Wait a minute, then try again.",
  },
  Default: { title: "Sign-in failed", body: "Something went wrong while signing you in. Nothing was signed in. Please try again." },
};

export default page(publicPage("/sign-in/error"), async ({ searchParams }) => {
  const { error } = searchParams;
  const message = (error && MESSAGES[error]) || MESSAGES.Default!;
  return (
    <div className="mx-auto max-w-md">
      <Card>
        <div role="alert">
          <h1 className="text-2xl font-bold tracking-tight">{message.title}</h1>
          <p className="mt-3 text-slate-700">{message.body}</p>
        </div>
        {error ? <p className="mt-3 text-sm text-slate-500">Reference: {error.slice(0, 40)}</p> : null}
        <Link href="/sign-in" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
          Back to sign-in
        </Link>
      </Card>
    </div>
  );
}, { searchParams: ["error"] });
