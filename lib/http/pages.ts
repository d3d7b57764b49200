/**
 * Helpers for server-rendered pages (React Server Components): resolve the signed-in user, and turn a
 * database outage into a real 503 page (`/unavailable`) instead of an error boundary with status 500.
 */
import { cache } from "react";
import { headers } from "next/headers";
import { forbidden, redirect, unauthorized } from "next/navigation";
import { getPortalPrincipal, type PortalPrincipal } from "@/lib/portal/session";
import { getSessionUser, type Principal } from "@/lib/auth/principal";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";
import { mintAdminActorForVerifiedUser, type AdminActor } from "@/lib/auth/admin-actor";
import { NotFoundError } from "@/lib/http/errors";

type UserPrincipal = Extract<Principal, { kind: "user" }>;

/** Only same-site relative paths are followed after sign-in (no open redirects). */
export function safeReturnPath(value: string | undefined | null, fallback = "/me"): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  return value;
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
 * The session lookup, once per server render: the (main) layout, the partner layout and the page itself all ask
 * for the user, and React's request-scoped cache() makes that one query instead of three.
 */
const sessionUserForRender = cache(async (): Promise<UserPrincipal | null> => getSessionUser({ headers: await headers() }));

/** The signed-in user, or null. */
export async function getPageUser(path: string): Promise<UserPrincipal | null> {
  return loadPageData(path, sessionUserForRender);
}

/** The signed-in user; anonymous visitors are sent to sign in and brought back to `path`. */
export async function requirePageUser(path: string): Promise<UserPrincipal> {
  const user = await getPageUser(path);
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  return user;
}

/**
 * An admin, and the proof admin data functions demand; anyone else signed in sees the 403 page (app/forbidden.tsx).
 * Every admin page calls this itself, before loading anything: the admin layout's check does not protect the page.
 */
export async function requireAdminPage(path: string): Promise<{ user: UserPrincipal & { role: "admin" }; admin: AdminActor }> {
  const user = await requirePageUser(path);
  if (user.role !== "admin") forbidden();
  return { user: user as UserPrincipal & { role: "admin" }, admin: mintAdminActorForVerifiedUser(user.userId) };
}

/** A member of an approved partner; admins go to the admin pages, everyone else to their status page. */
export async function requireApprovedPartnerPage(path: string): Promise<UserPrincipal & { partnerId: string }> {
  const user = await requirePageUser(path);
  if (user.role === "admin") redirect("/admin/partners");
  if (user.status !== "approved" || !user.partnerId) redirect("/partner/status");
  return user as UserPrincipal & { partnerId: string };
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

/** The client-portal session; without a valid one the access-required page renders with status 401. */
export async function requirePortalPage(path: string): Promise<PortalPrincipal> {
  const requestHeaders = await headers();
  const principal = await loadPageData(path, () => getPortalPrincipal(requestHeaders));
  if (!principal) unauthorized();
  return principal;
}
