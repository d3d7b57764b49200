/**
 * A one-time notice for the next page (a refused connection's reason), carried in a short-lived HttpOnly cookie rather
 * than the URL: text in a query string can be written by anyone who sends a partner a link, and would then appear on
 * Gatehouse's own page as if Gatehouse had said it. The URL carries only the notice's random id, so the page shows
 * it only to the redirect it was made for.
 */
import { randomBytes } from "node:crypto";
import { cookies, headers } from "next/headers";
import { getConfig } from "@/lib/config";
import { readCookie } from "@/lib/http/cookies";

/** Seconds a notice waits to be shown. */
const NOTICE_SECONDS = 60;
/** Characters a notice keeps (whole code points: a cut surrogate pair would not encode). */
const NOTICE_LENGTH = 300;

function noticeCookieName(): string {
  return getConfig().secureCookies ? "__Host-gatehouse-notice" : "gatehouse-notice";
}

function noticeValue(message: string): { id: string; value: string } {
  const id = randomBytes(9).toString("base64url");
  return { id, value: `${id}.${Array.from(message).slice(0, NOTICE_LENGTH).join("")}` };
}

/**
 * For route handlers: the notice's id (put it in the redirect as `?error=<id>`) and the `Set-Cookie` value that
 * carries `message`.
 */
export function noticeSetCookie(message: string): { id: string; setCookie: string } {
  const { id, value } = noticeValue(message);
  const secure = getConfig().secureCookies ? "; Secure" : "";
  return { id, setCookie: `${noticeCookieName()}=${encodeURIComponent(value)}; Path=/; Max-Age=${NOTICE_SECONDS}; HttpOnly; SameSite=Lax${secure}` };
}

/** For server actions: carries `message` to the page the action redirects to; put the returned id in its URL. */
export async function setNotice(message: string): Promise<string> {
  const { id, value } = noticeValue(message);
  (await cookies()).set(noticeCookieName(), value, { path: "/", maxAge: NOTICE_SECONDS, httpOnly: true, sameSite: "lax", secure: getConfig().secureCookies });
  return id;
}

/** For pages: the notice with this id, set for this browser in the last minute, if any. */
export async function readNotice(id: string): Promise<string | null> {
  const value = readCookie(await headers(), noticeCookieName());
  if (!value || !id) return null;
  const dot = value.indexOf(".");
  return dot > 0 && value.slice(0, dot) === id ? value.slice(dot + 1) : null;
}
