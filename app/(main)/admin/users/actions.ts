"use server";

import type { ActionResult } from "@/components/confirm-action";
import { setUserAdminAsAdmin } from "@/lib/auth/users";
import { ADMIN_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction } from "@/lib/next/actions";

/** Admins only (ADMIN_ACTION): makes a user an admin. */
export async function promoteUserAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return runAction(ADMIN_ACTION, async ({ admin }) => `${(await setUserAdminAsAdmin(field(form, "userId"), "promote", admin)).email ?? "The user"} is now an admin.`, ["/admin"]);
}

/** Admins only (ADMIN_ACTION): takes the admin role away; the last admin is refused (409 message). */
export async function demoteUserAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return runAction(ADMIN_ACTION, async ({ admin }) => `${(await setUserAdminAsAdmin(field(form, "userId"), "demote", admin)).email ?? "The user"} is no longer an admin.`, ["/admin"]);
}
