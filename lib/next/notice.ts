/**
 * A one-time notice for the next page (a refused connection's reason), carried in a short-lived HttpOnly cookie rather
 * than the URL: text in a query string can be written by anyone who sends a partner a link, and would then appear on
 * Gatehouse's own page as if Gatehouse had said it.
 */
import { headers } from "next/headers";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { readCookie } from "@/lib/http/cookies";

/** Seconds a notice waits to be shown. */
const NOTICE_SECONDS = 60;

function noticeCookieName(): string {
  return getConfig().secureCookies ? "__Host-gatehouse-notice" : "gatehouse-notice";
}

/** The `Set-Cookie` value that carries `message` (route handlers set it on their response). */
export function noticeSetCookie(message: string): string {
  const secure = getConfig().secureCookies ? "; Secure" : "";
  return `${noticeCookieName()}=${encodeURIComponent(message.slice(0, 300))}; Path=/; Max-Age=${NOTICE_SECONDS}; HttpOnly; SameSite=Lax${secure}`;
}

/** Server actions: carries `message` to the page the action redirects to. */
export async function setNotice(message: string): Promise<void> {
  (await cookies()).set(noticeCookieName(), message.slice(0, 300), { path: "/", maxAge: NOTICE_SECONDS, httpOnly: true, sameSite: "lax", secure: getConfig().secureCookies });
}

/** Pages: the notice set for this browser in the last minute, if any. */
export async function readNotice(): Promise<string | null> {
  return readCookie(await headers(), noticeCookieName()) ?? null;
}
