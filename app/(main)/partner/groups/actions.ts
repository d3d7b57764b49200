"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ZodError } from "zod";
import type { ActionResult } from "@/components/confirm-action";
import { getSessionUser, requireApprovedPartnerUser } from "@/lib/auth/principal";
import { AppError } from "@/lib/http/errors";
import { describeZodError } from "@/lib/http/respond";
import { addGroupMember, createGroup, deleteGroup, removeGroupMember } from "@/lib/groups/groups";

/** Runs a group action in the signed-in partner member's own tenant. */
async function asMember(run: (tenant: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<string>): Promise<ActionResult> {
  try {
    const user = await getSessionUser({ headers: await headers() });
    if (!user) return { ok: false, message: "Your session has ended. Sign in again." };
    const { partnerId, userId } = requireApprovedPartnerUser(user);
    const message = await run({ partnerId, actor: { type: "user", id: userId } });
    revalidatePath("/partner/groups", "layout");
    return { ok: true, message };
  } catch (error) {
    if (error instanceof ZodError) return { ok: false, message: describeZodError(error) };
    if (error instanceof AppError && error.expose) return { ok: false, message: error.message };
    throw error;
  }
}

const field = (form: FormData, name: string) => String(form.get(name) ?? "");

export async function createGroupAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asMember(async ({ partnerId, actor }) => `Created ${(await createGroup(partnerId, { name: field(form, "name"), description: field(form, "description") || null }, actor)).name}.`);
}

export async function addMemberAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asMember(async ({ partnerId, actor }) => {
    const { added, member } = await addGroupMember(partnerId, field(form, "groupId"), field(form, "userId"), actor);
    return added ? `Added ${member.email}.` : `${member.email} is already a member.`;
  });
}

export async function removeMemberAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return asMember(async ({ partnerId, actor }) => {
    await removeGroupMember(partnerId, field(form, "groupId"), field(form, "userId"), actor);
    return "Removed.";
  });
}

export async function deleteGroupAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  const result = await asMember(async ({ partnerId, actor }) => {
    await deleteGroup(partnerId, field(form, "groupId"), actor);
    return "Deleted.";
  });
  if (result?.ok) redirect("/partner/groups");
  return result;
}
