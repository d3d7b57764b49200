/**
 * The server-action adapter (docs/ARCHITECTURE.md "One declared policy per entry point"). Every action is
 * `runAction(policy, async (principal) => outcome, revalidatePaths)` inside its exported async function: the policy is
 * enforced first (its CSRF rule included: actions are POSTs authenticated by the session cookie), then the body
 * runs with the narrowed principal, and failures become a message for the form rather than an error page.
 */
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { ZodError } from "zod";
import type { ActionResult } from "@/components/confirm-action";
import { authorize, type AccessPolicy, type PrincipalFor } from "@/lib/auth/policy";
import { AppError, BadRequestError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { isDatabaseUnavailable } from "@/lib/http/database-errors";

/** What an action tells the form: a message, and optionally a secret shown once. */
export type Outcome = string | { message: string; secret?: string };

/** An action policy: errors go back to the form as messages. */
export type ActionPolicy = AccessPolicy & { errors: "app-page" };

function toResult(outcome: Outcome): ActionResult {
  return typeof outcome === "string" ? { ok: true, message: outcome } : { ok: true, ...outcome };
}

function failure(error: unknown): ActionResult {
  if (error instanceof ZodError) return { ok: false, message: describeZodError(error) };
  if (error instanceof AppError && error.status === 401) return { ok: false, message: "Your session has ended. Sign in again." };
  if (error instanceof AppError && error.expose) return { ok: false, message: error.message };
  if (isDatabaseUnavailable(error)) return { ok: false, message: "The database is unavailable. Try again shortly." };
  throw error;
}

/** A form field as a string ("" when absent); zod in lib/ validates it. */
export function formField(form: FormData, name: string): string {
  return String(form.get(name) ?? "");
}

/**
 * Runs one server action under its policy.
 * @param policy who may run it (checked against the request's session cookie and Origin)
 * @param run    the action body, given the narrowed principal; returns the message (and a secret shown once)
 * @param revalidatePaths re-rendered (with everything under them) after success
 * @returns the form's result; refusals and bad input are `{ ok: false, message }`
 */
export async function runAction<const P extends ActionPolicy>(
  policy: P,
  run: (principal: PrincipalFor<P>) => Promise<Outcome>,
  revalidatePaths: readonly string[] = [],
): Promise<ActionResult> {
  try {
    const principal = await authorize(policy, { headers: await headers(), method: "POST" });
    const result = toResult(await run(principal));
    for (const path of revalidatePaths) revalidatePath(path, "layout");
    return result;
  } catch (error) {
    return failure(error);
  }
}

/**
 * The form data of a server action called from a plain `<form action>` (one argument) or through useActionState
 * (previous state, then the form): whichever argument is the FormData.
 * @throws BadRequestError when no argument is a FormData (a hand-made call)
 */
export function formDataOf(args: unknown[]): FormData {
  const form = args.find((arg): arg is FormData => arg instanceof FormData);
  if (!form) throw new BadRequestError("Send the form's fields.");
  return form;
}

/**
 * Enforces an action's policy for a plain form action (one that navigates rather than returning a message).
 * @returns the narrowed principal
 * @throws what authorize throws (the caller decides where to send the browser)
 */
export async function authorizeAction<const P extends ActionPolicy>(policy: P): Promise<PrincipalFor<P>> {
  return authorize(policy, { headers: await headers(), method: "POST" });
}
