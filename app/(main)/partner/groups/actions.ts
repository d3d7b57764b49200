"use server";

import { redirect } from "next/navigation";
import type { ActionResult } from "@/components/confirm-action";
import { MEMBER_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";
import { addGroupMember, createGroup, deleteGroup, removeGroupMember } from "@/lib/groups/groups";

/** Members of an approved partner, in their own tenant (MEMBER_ACTION); re-renders /partner/groups after success. */
const memberAction = (run: (context: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<Outcome>) =>
  runAction(MEMBER_ACTION, (member) => run({ partnerId: member.partnerId, actor: { type: "user", id: member.userId } }), ["/partner/groups"]);

export async function createGroupAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => `Created ${(await createGroup(partnerId, { name: field(form, "name"), description: field(form, "description") || null }, actor)).name}.`);
}

export async function addMemberAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const { added, member } = await addGroupMember(partnerId, field(form, "groupId"), field(form, "userId"), actor);
    return added ? `Added ${member.email}.` : `${member.email} is already a member.`;
  });
}

export async function removeMemberAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    await removeGroupMember(partnerId, field(form, "groupId"), field(form, "userId"), actor);
    return "Removed.";
  });
}

export async function deleteGroupAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  const result = await memberAction(async ({ partnerId, actor }) => {
    await deleteGroup(partnerId, field(form, "groupId"), actor);
    return "Deleted.";
  });
  if (result?.ok) redirect("/partner/groups");
  return result;
}
