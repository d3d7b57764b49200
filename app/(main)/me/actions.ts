"use server";

import { redirect } from "next/navigation";
import { signOut } from "@/lib/auth/auth";
import { definePolicy } from "@/lib/auth/policy";
import { authorizeAction } from "@/lib/next/actions";
import { AppError } from "@/lib/http/errors";

/** Signing out: a signed-in person, from Gatehouse's own page (the session cookie is the credential). */
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
