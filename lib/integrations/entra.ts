/**
 * The Microsoft Entra ID connector (docs/ARCHITECTURE.md "Integrations"): reads a tenant's users, groups, group
 * memberships and activated directory roles through Microsoft Graph v1.0 (https://learn.microsoft.com/graph/api/overview)
 * with the OAuth access token of the integration (User.Read.All, GroupMember.Read.All, RoleManagement.Read.Directory),
 * and judges each user's risk.
 *
 * Calls, under `getConfig().integrations.entra.graphBase` + `/v1.0`: `organization` first (Graph serves the token's
 * tenant whatever the URL, so a token for another tenant is refused here), `users?$select=…&$top=999`,
 * `groups?$select=…&$top=999`, `groups/{id}/members?$select=id&$top=999` per group, `directoryRoles` and
 * `directoryRoles/{id}/members?$select=id` per role (members may be role-assignable groups, whose members then hold
 * the role). Pages follow `@odata.nextLink`; throttling (429) waits for Retry-After. Sign-in times are not read: they
 * need AuditLog.Read.All, which Gatehouse does not ask for.
 */
import { getConfig } from "@/lib/config";
import { arrayOf, collectPages, forEachConcurrently, openDirectorySession, type DirectorySession } from "@/lib/integrations/http";
import { assessRisk } from "@/lib/integrations/risk";
import { IntegrationError, type Connector, type SyncContext } from "@/lib/integrations/types";

const CONCURRENCY = 6;
const PROVIDER = "Microsoft Entra ID";
/** The Global Administrator role's template id, the same in every tenant. */
export const GLOBAL_ADMINISTRATOR_TEMPLATE_ID = "62e90394-69f5-4237-9190-012177145e10";

interface GraphUser {
  id: string;
  displayName?: string | null;
  userPrincipalName: string;
  mail?: string | null;
  accountEnabled?: boolean;
  userType?: string | null;
  createdDateTime?: string | null;
}

interface GraphGroup {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  description?: string | null;
  isAssignableToRole?: boolean | null;
}

interface GraphDirectoryObject {
  id: string;
  "@odata.type"?: string;
}

interface GraphDirectoryRole {
  id: string;
  displayName: string;
  roleTemplateId: string;
}

/** Reads an Entra ID tenant (`integration.directory` is the tenant id) and adds its users, groups and roles. */
export const entraConnector: Connector = {
  async sync(ctx: SyncContext): Promise<void> {
    const graphBase = getConfig().integrations.entra?.graphBase;
    if (!graphBase) throw new IntegrationError("This Gatehouse deployment has no Microsoft Entra ID app configured.");
    const base = `${graphBase}/v1.0`;
    const api = await openDirectorySession(ctx, { origin: new URL(graphBase).origin, provider: PROVIDER });
    const max = ctx.limit + 1;

    const { body: organization } = await api.get<{ value?: unknown }>(`${base}/organization?$select=id`);
    const tenantId = arrayOf<{ id?: string }>(organization.value, PROVIDER)[0]?.id;
    if (!tenantId || tenantId.toLowerCase() !== (ctx.integration.directory ?? "").toLowerCase()) {
      throw new IntegrationError(`Gatehouse's authorization is for another Entra ID tenant than ${ctx.integration.directory}. Connect again with an administrator of that tenant.`, "access_denied");
    }

    const userFields = "id,displayName,userPrincipalName,mail,accountEnabled,userType,createdDateTime";
    const users = await listed<GraphUser>(api, `${base}/users?$select=${userFields}&$top=999`, max, (n) => ctx.progress("user", n));
    const groupFields = "id,displayName,mail,description,isAssignableToRole";
    const groups = await listed<GraphGroup>(api, `${base}/groups?$select=${groupFields}&$top=999`, max, (n) => ctx.progress("group", n));

    const membersOf = new Map<string, string[]>();
    const groupsOf = new Map<string, string[]>();
    await forEachConcurrently(groups.slice(0, ctx.limit), CONCURRENCY, async (group) => {
      const members = await listed<GraphDirectoryObject>(api, `${base}/groups/${encodeURIComponent(group.id)}/members?$select=id&$top=999`, Infinity);
      const userIds = members.filter((member) => member["@odata.type"] === "#microsoft.graph.user").map((member) => member.id);
      membersOf.set(group.id, userIds);
      for (const userId of userIds) {
        const list = groupsOf.get(userId);
        if (list) list.push(group.id);
        else groupsOf.set(userId, [group.id]);
      }
    });

    const { body: rolesBody } = await api.get<{ value?: unknown }>(`${base}/directoryRoles`);
    const roles = arrayOf<GraphDirectoryRole>(rolesBody.value, PROVIDER);
    const rolesOf = new Map<string, Set<GraphDirectoryRole>>();
    const groupRoles = new Map<string, Set<string>>();
    const grant = (userId: string, role: GraphDirectoryRole) => rolesOf.set(userId, (rolesOf.get(userId) ?? new Set()).add(role));
    await forEachConcurrently(roles, CONCURRENCY, async (role) => {
      const members = await listed<GraphDirectoryObject>(api, `${base}/directoryRoles/${encodeURIComponent(role.id)}/members?$select=id`, Infinity);
      for (const member of members) {
        if (member["@odata.type"] === "#microsoft.graph.group") {
          groupRoles.set(member.id, (groupRoles.get(member.id) ?? new Set()).add(role.displayName));
          for (const userId of membersOf.get(member.id) ?? []) grant(userId, role);
        } else if (member["@odata.type"] === "#microsoft.graph.user") grant(member.id, role);
      }
    });

    for (const user of users) {
      const held = [...(rolesOf.get(user.id) ?? [])];
      const globalAdmin = held.some((role) => role.roleTemplateId === GLOBAL_ADMINISTRATOR_TEMPLATE_ID);
      const lesser = held.filter((role) => role.roleTemplateId !== GLOBAL_ADMINISTRATOR_TEMPLATE_ID).map((role) => role.displayName);
      const guest = user.userType === "Guest";
      const disabled = user.accountEnabled === false;
      const kept = ctx.add({
        type: "user",
        externalId: user.id,
        name: user.displayName || user.userPrincipalName,
        email: user.mail ?? user.userPrincipalName,
        attributes: {
          userPrincipalName: user.userPrincipalName,
          status: disabled ? "disabled" : "active",
          accountEnabled: !disabled,
          userType: user.userType ?? "Member",
          createdAt: user.createdDateTime ?? null,
          groups: groupsOf.get(user.id) ?? [],
          roles: held.map((role) => role.displayName),
        },
        risk: assessRisk([
          [globalAdmin, "high", "Entra ID Global Administrator"],
          [lesser.length > 0, "medium", `Entra ID directory role: ${lesser.join(", ")}`],
          [guest, "medium", "Guest account"],
          [guest && held.length > 0, "high", "Guest account holds a directory role"],
          [disabled && held.length > 0, "high", "Disabled account still holds directory roles"],
        ]),
      });
      if (!kept) break;
    }

    for (const group of groups) {
      const kept = ctx.add({
        type: "group",
        externalId: group.id,
        name: group.displayName || group.id,
        email: group.mail ?? null,
        attributes: { memberCount: membersOf.get(group.id)?.length ?? 0, roles: [...(groupRoles.get(group.id) ?? [])], description: group.description ?? null },
        risk: assessRisk([]),
      });
      if (!kept) break;
    }

    ctx.progress("role", roles.length);
    for (const role of roles) {
      const holders = [...rolesOf.values()].filter((held) => held.has(role)).length;
      const kept = ctx.add({ type: "role", externalId: role.id, name: role.displayName, attributes: { roleTemplateId: role.roleTemplateId, holders }, risk: assessRisk([]) });
      if (!kept) break;
    }
  },
};

/** A Graph collection (`{ value: [...], "@odata.nextLink" }`), up to `max` items. */
function listed<T>(api: DirectorySession, first: string, max: number, onPage?: (read: number) => void): Promise<T[]> {
  return collectPages<T>(
    first,
    async (url) => {
      const { body } = await api.get<Record<string, unknown>>(url);
      const next = body["@odata.nextLink"];
      return { items: arrayOf<T>(body.value, PROVIDER), next: typeof next === "string" ? new URL(next, url).href : null };
    },
    max,
    onPage,
  );
}
