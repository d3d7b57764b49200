/**
 * The Google Workspace connector (docs/ARCHITECTURE.md "Integrations"): reads a customer's users, groups, group
 * memberships and admin role assignments through the Admin SDK Directory API
 * (https://developers.google.com/admin-sdk/directory/reference/rest) with the OAuth access token of the integration
 * (admin.directory.user/group/group.member/rolemanagement .readonly), and judges each user's risk.
 *
 * Calls, under `getConfig().integrations.google.apiBase` + `/admin/directory/v1`: `users?domain=<directory>&maxResults=1`
 * first (Google answers 403 for a domain outside the token's customer, so a token for another Workspace stops here),
 * then `users?customer=my_customer&maxResults=500`, `groups?customer=my_customer&maxResults=200`,
 * `groups/{id}/members?maxResults=200` per group, `customer/my_customer/roles` and `…/roleassignments`. Pages follow
 * `nextPageToken`; throttling (429) waits for Retry-After.
 */
import { getConfig } from "@/lib/config";
import { arrayOf, collectPages, forEachConcurrently, openDirectorySession, ProviderResponseError, type DirectorySession } from "@/lib/integrations/http";
import { assessRisk } from "@/lib/integrations/risk";
import { IntegrationError, type Connector, type SyncContext } from "@/lib/integrations/types";

const CONCURRENCY = 6;
const PROVIDER = "Google Workspace";

/** Display names of Google's system roles (the API's roleName is the internal one). */
const SYSTEM_ROLE_NAMES: Record<string, string> = {
  _SEED_ADMIN_ROLE: "Super Admin",
  _GROUPS_ADMIN_ROLE: "Groups Admin",
  _USER_MANAGEMENT_ADMIN_ROLE: "User Management Admin",
  _HELP_DESK_ADMIN_ROLE: "Help Desk Admin",
  _SERVICE_ADMIN_ROLE: "Services Admin",
};

interface GoogleUser {
  id: string;
  primaryEmail: string;
  name?: { fullName?: string };
  isAdmin?: boolean;
  isDelegatedAdmin?: boolean;
  isEnrolledIn2Sv?: boolean;
  isEnforcedIn2Sv?: boolean;
  suspended?: boolean;
  archived?: boolean;
  lastLoginTime?: string;
}

interface GoogleGroup {
  id: string;
  email: string;
  name: string;
  directMembersCount?: string;
}

interface GoogleMember {
  id: string;
  type: string;
}

interface GoogleRole {
  roleId: string;
  roleName: string;
  isSuperAdminRole?: boolean;
}

interface GoogleRoleAssignment {
  roleId: string;
  assignedTo: string;
  assigneeType?: "user" | "group";
}

/** Reads a Google Workspace customer (`integration.directory` is its primary domain) and adds users, groups, roles. */
export const googleConnector: Connector = {
  async sync(ctx: SyncContext): Promise<void> {
    const apiBase = getConfig().integrations.google?.apiBase;
    if (!apiBase) throw new IntegrationError("This Gatehouse deployment has no Google Workspace app configured.");
    const domain = ctx.integration.directory ?? "";
    const base = `${apiBase}/admin/directory/v1`;
    const api = await openDirectorySession(ctx, { origin: new URL(apiBase).origin, provider: PROVIDER });
    const max = ctx.limit + 1;

    try {
      await api.get(`${base}/users?domain=${encodeURIComponent(domain)}&maxResults=1`);
    } catch (error) {
      if (error instanceof ProviderResponseError && error.status === 403) {
        throw new IntegrationError(`Google Workspace refused to list the users of ${domain}: Gatehouse's authorization is for another Workspace, or its administrator lacks the permission. Connect again with a super administrator of ${domain}.`, "access_denied");
      }
      throw error;
    }

    const users = await listed<GoogleUser>(api, `${base}/users?customer=my_customer&maxResults=500`, "users", max, (n) => ctx.progress("user", n));
    const groups = await listed<GoogleGroup>(api, `${base}/groups?customer=my_customer&maxResults=200`, "groups", max, (n) => ctx.progress("group", n));

    const membersOf = new Map<string, string[]>();
    const groupsOf = new Map<string, string[]>();
    await forEachConcurrently(groups.slice(0, ctx.limit), CONCURRENCY, async (group) => {
      const members = await listed<GoogleMember>(api, `${base}/groups/${encodeURIComponent(group.id)}/members?maxResults=200`, "members", Infinity);
      const userIds = members.filter((member) => member.type === "USER").map((member) => member.id);
      membersOf.set(group.id, userIds);
      for (const userId of userIds) {
        const list = groupsOf.get(userId);
        if (list) list.push(group.id);
        else groupsOf.set(userId, [group.id]);
      }
    });

    const roles = new Map((await listed<GoogleRole>(api, `${base}/customer/my_customer/roles?maxResults=100`, "items", Infinity)).map((role) => [role.roleId, role]));
    const assignments = await listed<GoogleRoleAssignment>(api, `${base}/customer/my_customer/roleassignments?maxResults=200`, "items", Infinity);
    const rolesOf = new Map<string, Set<string>>();
    const grant = (userId: string, roleId: string) => rolesOf.set(userId, (rolesOf.get(userId) ?? new Set()).add(roleId));
    for (const assignment of assignments) {
      if (assignment.assigneeType === "group") for (const userId of membersOf.get(assignment.assignedTo) ?? []) grant(userId, assignment.roleId);
      else grant(assignment.assignedTo, assignment.roleId);
    }
    const roleName = (roleId: string) => {
      const name = roles.get(roleId)?.roleName ?? roleId;
      return SYSTEM_ROLE_NAMES[name] ?? name;
    };

    for (const user of users) {
      const held = [...(rolesOf.get(user.id) ?? [])];
      const superAdmin = user.isAdmin === true || held.some((roleId) => roles.get(roleId)?.isSuperAdminRole);
      const lesser = held.filter((roleId) => !roles.get(roleId)?.isSuperAdminRole).map(roleName);
      const admin = superAdmin || user.isDelegatedAdmin === true || held.length > 0;
      const inactive = user.suspended === true || user.archived === true;
      const lastLogin = user.lastLoginTime && !user.lastLoginTime.startsWith("1970-") ? user.lastLoginTime : null;
      const kept = ctx.add({
        type: "user",
        externalId: user.id,
        name: user.name?.fullName || user.primaryEmail,
        email: user.primaryEmail,
        attributes: {
          status: user.archived ? "archived" : user.suspended ? "suspended" : "active",
          isAdmin: user.isAdmin === true,
          isDelegatedAdmin: user.isDelegatedAdmin === true,
          isEnrolledIn2Sv: user.isEnrolledIn2Sv === true,
          isEnforcedIn2Sv: user.isEnforcedIn2Sv === true,
          lastLogin,
          groups: groupsOf.get(user.id) ?? [],
          roles: [...new Set([...(user.isAdmin ? ["Super Admin"] : []), ...held.map(roleName)])],
        },
        risk: assessRisk([
          [admin && user.isEnrolledIn2Sv !== true, "critical", "Administrator without 2-Step Verification"],
          [superAdmin, "high", "Google Workspace super administrator"],
          [lesser.length > 0, "medium", `Google Workspace admin role: ${lesser.join(", ")}`],
          [!superAdmin && lesser.length === 0 && user.isDelegatedAdmin === true, "medium", "Google Workspace delegated administrator"],
          [inactive && admin, "high", `${user.archived ? "Archived" : "Suspended"} account still holds admin roles`],
        ]),
      });
      if (!kept) break;
    }

    for (const group of groups) {
      const groupRoles = assignments.filter((a) => a.assigneeType === "group" && a.assignedTo === group.id).map((a) => roleName(a.roleId));
      const kept = ctx.add({
        type: "group",
        externalId: group.id,
        name: group.name,
        email: group.email,
        attributes: { memberCount: membersOf.get(group.id)?.length ?? Number(group.directMembersCount ?? 0), roles: [...new Set(groupRoles)] },
        risk: assessRisk([]),
      });
      if (!kept) break;
    }

    ctx.progress("role", roles.size);
    for (const role of roles.values()) {
      const holders = [...rolesOf.values()].filter((held) => held.has(role.roleId)).length;
      const kept = ctx.add({
        type: "role",
        externalId: role.roleId,
        name: SYSTEM_ROLE_NAMES[role.roleName] ?? role.roleName,
        attributes: { roleName: role.roleName, isSuperAdminRole: role.isSuperAdminRole === true, holders },
        risk: assessRisk([]),
      });
      if (!kept) break;
    }
  },
};

/** A Directory API listing (`{ <field>: [...], nextPageToken }`; the field is absent when empty), up to `max` items. */
function listed<T>(api: DirectorySession, first: string, field: string, max: number, onPage?: (read: number) => void): Promise<T[]> {
  return collectPages<T>(
    first,
    async (url) => {
      const { body } = await api.get<Record<string, unknown>>(url);
      const token = typeof body.nextPageToken === "string" && body.nextPageToken ? body.nextPageToken : null;
      const next = token ? new URL(url) : null;
      next?.searchParams.set("pageToken", token!);
      return { items: arrayOf<T>(body[field], PROVIDER), next: next?.href ?? null };
    },
    max,
    onPage,
  );
}
