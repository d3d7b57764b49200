/** JSON shapes of the groups API (snake_case on the wire; lib types stay camelCase). */
import type { GroupMemberView, GroupView } from "@/lib/groups/groups";

export function groupJson(group: GroupView) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    member_count: group.memberCount,
    created_at: group.createdAt,
    updated_at: group.updatedAt,
  };
}

export function memberJson(member: GroupMemberView) {
  return { user_id: member.userId, email: member.email, name: member.name, added_at: member.addedAt };
}
