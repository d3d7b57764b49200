"use server";

import { redirect } from "next/navigation";
import { signOut } from "@/lib/auth/auth";
import { definePolicy } from "@/lib/auth/policy";
import { authorizeAction } from "@/lib/next/actions";
import { AppError } from "@/lib/http/errors";
import type { ActionResult } from "@/components/confirm-action";
import { endAllUserSessions, endUserSession } from "@/lib/auth/sessions";
import { formField, runAction } from "@/lib/next/actions";
import { revokeGrant } from "@/lib/oauth/authorization";

/** Signing out and the person's own devices and connected apps: a signed-in person, from Gatehouse's own page (the session cookie is the credential). */
const SIGN_OUT = definePolicy({ accept: ["user"], partner: "any", errors: "app-page" });

/** Ends this browser's session (Auth.js deletes the database session) and goes home. */
export async function signOutAction(): Promise<void> {
  try {
    await authorizeAction(SIGN_OUT);
  } catch (error) {
    // No live session (or not from our origin): there is nothing this request may sign out.
    if (error instanceof AppError) redirect("/");
    throw error;
  }
  await signOut({ redirectTo: "/" });
}

/** Signs one of the person's own devices out (its session ends at its next request). */
export async function endSessionAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return runAction(
    SIGN_OUT,
    async (user) => {
      await endUserSession(user.userId, formField(form, "sessionId"));
      return "That device is signed out.";
    },
    ["/me"],
  );
}

/** Ends every session of the person, this browser's too ("sign out everywhere"). */
export async function signOutEverywhereAction(_: ActionResult, _form: FormData): Promise<ActionResult> {
  return runAction(SIGN_OUT, async (user) => `Signed out on ${await endAllUserSessions(user.userId)} device(s), this one included. Sign in again to continue.`);
}

/** Disconnects one of the person's own connected apps (its grant, with every token issued under it; audited). */
export async function disconnectAppAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return runAction(
    SIGN_OUT,
    async (user) => {
      await revokeGrant(formField(form, "grantId"), { userId: user.userId }, { userId: user.userId, partnerId: user.partnerId });
      return "Disconnected. The app's access ends at its next request.";
    },
    ["/me"],
  );
}
