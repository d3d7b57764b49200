/**
 * The page adapter (docs/ARCHITECTURE.md "One declared policy per entry point"). Every `page.tsx` is
 * `export default page(policy, async ({ principal, params, searchParams }) => <jsx/>)`: the policy is checked
 * before the render function runs, so a refused request never loads the page's data. A layout is not a guard: Next
 * renders a page beside its layout and streams both, so a check that lives only in a layout lets the page's data
 * out under a 307 or 403. Layouts may still ask for the user for navigation (`getPageUser`).
 *
 * Refusals by style: `app-page` sends anonymous visitors to sign in (and back), members of unapproved partners to
 * their status page, admins on partner pages to the admin pages, and anyone else to the 403 page; `portal-page`
 * renders the access-required page with 401. A database outage becomes a real 503 page (`/unavailable`).
 */
import type { ReactNode } from "react";
import { cache } from "react";
import { headers } from "next/headers";
import { forbidden, notFound, redirect, unauthorized, unstable_rethrow } from "next/navigation";
import { authorize, PolicyRefusalError, type AccessPolicy, type PrincipalFor } from "@/lib/auth/policy";
import { getSessionUser, type UserPrincipal } from "@/lib/auth/principal";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";
import { AppError, NotFoundError } from "@/lib/http/errors";
import { safeReturnPath } from "@/lib/http/return-path";

/** A page policy: who may see it, rendered as app or portal pages. */
export type PagePolicy = AccessPolicy & { errors: "app-page" | "portal-page"; path: string };

export interface PageProps {
  params: Promise<Record<string, string | string[] | undefined>>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export interface PageContext<P extends AccessPolicy, K extends string, S extends string> {
  principal: PrincipalFor<P>;
  /** The dynamic segments named in `options.params`. */
  params: Record<K, string>;
  /** The query parameters named in `options.searchParams` (the first value of a repeated one). */
  searchParams: Partial<Record<S, string>>;
}

/**
 * Declares a page with its policy.
 * @param policy the access policy plus `path`, the page's route pattern (e.g. `/partner/groups/[id]`), used to
 *               bring an anonymous visitor back after sign-in
 * @param render the page body; runs only for an accepted caller
 * @param options.params the dynamic segments the page reads; `options.searchParams` the query parameters
 * @returns the page component, with the policy attached (`Page.policy`) for the access tests
 */
export function page<const P extends PagePolicy, const K extends string = never, const S extends string = never>(
  policy: P,
  render: (context: PageContext<P, K, S>) => Promise<ReactNode> | ReactNode,
  options: { params?: readonly K[]; searchParams?: readonly S[] } = {},
): ((props: PageProps) => Promise<ReactNode>) & { readonly policy: P } {
  const Page = async (props: PageProps) => {
    const rawParams = (await props.params) ?? {};
    const params = {} as Record<K, string>;
    for (const name of options.params ?? []) {
      const value = rawParams[name];
      if (typeof value !== "string") notFound();
      params[name] = value;
    }
    const path = fillPath(policy.path, params as Record<string, string>);
    const rawSearch = (await props.searchParams) ?? {};
    const searchParams: Partial<Record<S, string>> = {};
    for (const name of options.searchParams ?? []) {
      const value = rawSearch[name];
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) searchParams[name] = first;
    }
    // An anonymous visitor comes back to the same page with the same (declared) query after signing in.
    const query = new URLSearchParams(searchParams as Record<string, string>).toString();
    const principal = await authorizePage(policy, path, query ? `${path}?${query}` : path);
    return loadPageData(path, async () => render({ principal, params, searchParams }));
  };
  return Object.assign(Page, { policy });
}

/**
 * Enforces a page policy for the current request; answers refusals as the policy's style says (never returns).
 * @param returnPath where sign-in brings an anonymous visitor back to (the path with its declared query)
 */
async function authorizePage<P extends PagePolicy>(policy: P, path: string, returnPath: string): Promise<PrincipalFor<P>> {
  const requestHeaders = await headers();
  try {
    return await loadPageData(path, () => authorize(policy, { headers: requestHeaders, method: "GET", sessionUser: sessionUserForRender }));
  } catch (error) {
    unstable_rethrow(error); // Next's own redirects (the outage page) and not-found signals pass through
    if (!(error instanceof AppError)) throw error;
    if (policy.errors === "portal-page") unauthorized();
    if (error instanceof PolicyRefusalError) {
      if (policy.refuseAs === "not_found") notFound();
      const user = error.user;
      if (policy.role !== "admin" && user.role === "admin") redirect("/admin/partners");
      if (policy.role !== "admin" && user.status !== "approved") redirect("/partner/status");
      forbidden();
    }
    if (error instanceof NotFoundError) notFound();
    if (error instanceof AppError && error.status === 401) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnPath)}`);
    if (error instanceof AppError && error.status === 403) forbidden();
    throw error;
  }
}

function fillPath(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\[([^\]]+)\]/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}

/**
 * Runs page data loading; when PostgreSQL is unreachable, redirects to `/unavailable` (which answers 503).
 * @param path the page's own path, to return to once the database is back
 */
export async function loadPageData<T>(path: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isDatabaseUnavailable(error)) redirect(`/unavailable?next=${encodeURIComponent(safeReturnPath(path, "/"))}`);
    throw error;
  }
}

/**
 * The session lookup, once per server render: the page's policy check and the (main) and partner layouts all ask,
 * and React's request-scoped cache() makes that one query.
 */
const sessionUserForRender = cache(async (): Promise<UserPrincipal | null> => getSessionUser({ headers: await headers() }));

/** The signed-in user or null, for layouts' navigation only (a layout is never a guard). */
export async function getPageUser(path: string): Promise<UserPrincipal | null> {
  return loadPageData(path, sessionUserForRender);
}

/** Where a signed-in person belongs: admins to the approval queue, approved partners to their dashboard. */
export function homePathFor(user: UserPrincipal): string {
  if (user.role === "admin") return "/admin/partners";
  return user.status === "approved" ? "/partner/dashboard" : "/partner/status";
}

/**
 * Resolves to null when `promise` rejects with NotFoundError (the page then calls `notFound()`); other errors pass.
 */
export function nullIfNotFound<T>(promise: Promise<T>): Promise<T | null> {
  return promise.catch((error: unknown) => (error instanceof NotFoundError ? null : Promise.reject(error)));
}
