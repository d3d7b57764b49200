import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signedInPage } from "@/lib/auth/policies";
import type { MemberPrincipal } from "@/lib/auth/policy";
import { page } from "@/lib/next/pages";
import { Card } from "@/components/card";
import {
  approveAuthorization,
  AUTHORIZATION_PARAM_NAMES,
  AuthorizationPageError,
  AuthorizationRedirectError,
  describeAuthorizationRequest,
  hasRememberedConsent,
  mayApproveWithoutAsking,
  mayRedirectWithoutAsking,
  validateAuthorizationRequest,
  type AuthorizationParams,
  type AuthorizationRequest,
} from "@/lib/oauth/authorization";
import { hostOf } from "@/lib/oauth/app-clients";
import { clientIp } from "@/lib/rate-limit/client-ip";
import { decideAuthorizationAction } from "./actions";

export const metadata: Metadata = { title: "Authorize an application" };

/** Why a signed-in person cannot authorize applications (they need an approved partner). */
const CANNOT_AUTHORIZE: Record<string, string> = {
  active: "Administrators do not belong to a partner organisation, so they cannot connect applications to one.",
  pending_approval: "Your organisation is awaiting approval. Applications can be connected once an administrator approves it.",
  rejected: "Your organisation's signup was not approved, so applications cannot be connected.",
  suspended: "Your organisation is suspended, so applications cannot be connected.",
  no_partner: "Your account does not belong to a partner organisation, so applications cannot be connected.",
};

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1; MCP authorization 2025-11-25). A signed-in member of an approved
 * partner sees what the application asks for and answers Allow or Deny. Consent already given for these scopes is
 * remembered: for an https redirect URI the browser goes straight back with a code; for an application on the
 * person's computer (loopback or private-use scheme) the page asks again (RFC 8252 §8.6). Requests with an unknown
 * client or an unregistered redirect URI are explained here and never redirected; other errors go back to the
 * application only for one an admin registered or the person already authorized (no open redirector).
 */
export default page(
  signedInPage("/oauth/authorize"),
  async ({ principal: user, searchParams }) => {
    // Only members of an approved partner get as far as the request itself: validating it may fetch the client's
    // metadata document, which nobody else may make Gatehouse do.
    if (user.role !== "partner" || user.status !== "approved" || !user.partnerId) {
      return <Problem title="You cannot connect applications yet" message={CANNOT_AUTHORIZE[user.status] ?? CANNOT_AUTHORIZE.no_partner!} />;
    }
    const member = user as MemberPrincipal;
    let request: AuthorizationRequest;
    try {
      request = await validateAuthorizationRequest(searchParams as AuthorizationParams);
    } catch (error) {
      if (error instanceof AuthorizationPageError) return <Problem title="This authorization request cannot be used" message={error.message} />;
      if (error instanceof AuthorizationRedirectError) {
        if (await mayRedirectWithoutAsking(member, error.client)) redirect(error.location);
        return <Problem title={`${error.client.name} sent a request Gatehouse cannot accept`} message={error.message} back={{ href: error.location, label: `Return to ${hostOf(error.redirectUri)}` }} />;
      }
      throw error;
    }

    const remembered = searchParams.prompt !== "consent" && (await hasRememberedConsent(member, request));
    if (remembered && mayApproveWithoutAsking(request)) {
      const requestHeaders = await headers();
      redirect(await approveAuthorization(member, request, { ip: clientIp({ headers: requestHeaders }), requestId: requestHeaders.get("x-request-id") ?? undefined }));
    }

    const { scopes, redirectHost, resource } = describeAuthorizationRequest(request);
    // Loopback and private-use-scheme redirects reach a program on this computer, which any program could be.
    const onThisComputer = !request.redirectUri.startsWith("https://");
    return (
      <div className="mx-auto max-w-lg">
        <Card>
          <div className="flex items-center gap-4">
            {request.client.logoUri?.startsWith("https://") ? (
              // eslint-disable-next-line @next/next/no-img-element -- a third-party logo: no optimiser proxying it
              <img src={request.client.logoUri} alt="" width={48} height={48} referrerPolicy="no-referrer" className="h-12 w-12 rounded-lg object-contain" />
            ) : (
              <div aria-hidden className="flex h-12 w-12 items-center justify-center rounded-lg bg-slate-900 text-xl font-bold text-white">
                {request.client.name.slice(0, 1).toUpperCase()}
              </div>
            )}
            <div>
              <h1 className="text-xl font-bold tracking-tight" data-testid="consent-client-name">
                {request.client.name}
              </h1>
              <p className="text-sm text-slate-600">wants to act as you in {user.email ?? "your account"}&apos;s organisation</p>
            </div>
          </div>
          <dl className="mt-6 grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[9rem_1fr]">
            <dt className="text-slate-600">Sends you back to</dt>
            <dd className="font-mono" data-testid="consent-redirect-host">
              {redirectHost}
            </dd>
            <dt className="text-slate-600">Application id</dt>
            <dd className="break-all font-mono text-xs">{request.client.clientId}</dd>
            <dt className="text-slate-600">For</dt>
            <dd className="break-all font-mono text-xs" data-testid="consent-resource">
              {resource}
            </dd>
          </dl>
          {onThisComputer ? (
            <p role="note" className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
              This application runs on your own computer (it returns to {redirectHost}). Allow it only if you started it yourself
              {remembered ? "; you allowed it before, and Gatehouse asks each time for applications on your computer." : "."}
            </p>
          ) : null}
          {request.client.registration !== "admin" ? (
            <p className="mt-2 text-xs text-slate-500">
              Gatehouse has not verified this application: its name and logo are what it says about itself
              {request.client.registration === "metadata_document" ? ", published at its client_id address" : ""}.
            </p>
          ) : null}
          <h2 className="mt-6 font-semibold">It will be able to</h2>
          <ul className="mt-2 list-disc space-y-1 pl-6 text-sm" data-testid="consent-scopes">
            {scopes.map((scope) => (
              <li key={scope.scope}>
                {scope.description} <span className="font-mono text-xs text-slate-500">({scope.scope})</span>
              </li>
            ))}
          </ul>
          <p className="mt-4 text-sm text-slate-600">You can disconnect it at any time from your account page (Connected apps).</p>
          <form action={decideAuthorizationAction} className="mt-6 flex gap-3">
            {AUTHORIZATION_PARAM_NAMES.map((name) => {
              const value = searchParams[name];
              return value === undefined ? null : <input key={name} type="hidden" name={name} value={value} />;
            })}
            <button type="submit" name="decision" value="allow" className="rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-800">
              Allow
            </button>
            <button type="submit" name="decision" value="deny" className="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium text-slate-900 hover:bg-slate-50">
              Deny
            </button>
          </form>
        </Card>
      </div>
    );
  },
  { searchParams: [...AUTHORIZATION_PARAM_NAMES, "prompt"] },
);

function Problem({ title, message, back }: { title: string; message: string; back?: { href: string; label: string } }) {
  return (
    <div className="mx-auto max-w-lg">
      <Card>
        <h1 className="text-xl font-bold tracking-tight">{title}</h1>
        <p role="alert" className="mt-3 text-slate-700">
          {message}
        </p>
        {back ? (
          <a href={back.href} className="mt-4 inline-block text-sm font-medium underline">
            {back.label}
          </a>
        ) : null}
      </Card>
    </div>
  );
}
