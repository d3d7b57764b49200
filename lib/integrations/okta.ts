/**
 * The Okta connector (docs/ARCHITECTURE.md "Integrations"): reads an org's users, groups, group memberships and
 * admin role assignments through the Okta Management API (https://developer.okta.com/docs/api/) with the OAuth
 * access token of the integration (scopes okta.users.read, okta.groups.read, okta.roles.read), and judges each
 * user's risk.
 *
 * Calls: `GET /api/v1/users?limit=200` (then `filter=status eq "DEPROVISIONED"`: Okta leaves deactivated users out of
 * the plain listing), `GET /api/v1/groups?limit=200`, `GET /api/v1/groups/{id}/users?limit=1000` per group,
 * `GET /api/v1/iam/assignees/users?limit=100` and `GET /api/v1/users/{id}/roles` per role holder (roles held
 * directly and through a group). Pages follow RFC 8288 `Link: rel="next"`; throttling waits for X-Rate-Limit-Reset.
 */
import { assessRisk } from "@/lib/integrations/risk";
import { arrayOf, collectPages, forEachConcurrently, nextLinkFromHeader, openDirectorySession, type DirectorySession } from "@/lib/integrations/http";
import { oktaOrgUrl } from "@/lib/integrations/oauth";
import type { Connector, SyncContext } from "@/lib/integrations/types";

/** Requests in flight at once for per-group and per-user calls. */
const CONCURRENCY = 6;
const PROVIDER = "Okta";

interface OktaUser {
  id: string;
  status: string;
  lastLogin: string | null;
  profile: { login: string; email?: string | null; firstName?: string | null; lastName?: string | null; displayName?: string | null };
}

interface OktaGroup {
  id: string;
  type: string;
  profile: { name: string; description?: string | null };
}

interface OktaRole {
  type: string;
  label: string;
  assignmentType?: "USER" | "GROUP";
}

/** Reads an Okta org (`integration.directory` is the org URL) and adds its users, groups and admin roles. */
export const oktaConnector: Connector = {
  async sync(ctx: SyncContext): Promise<void> {
    const org = oktaOrgUrl(ctx.integration.directory);
    const api = await openDirectorySession(ctx, { origin: new URL(org).origin, provider: PROVIDER });
    const max = ctx.limit + 1;

    const users = await listed<OktaUser>(api, `${org}/api/v1/users?limit=200`, max, (n) => ctx.progress("user", n));
    if (users.length < max) {
      const deprovisioned = `${org}/api/v1/users?limit=200&filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`;
      const read = users.length;
      users.push(...(await listed<OktaUser>(api, deprovisioned, max - read, (n) => ctx.progress("user", read + n))));
    }
    const groups = await listed<OktaGroup>(api, `${org}/api/v1/groups?limit=200`, max, (n) => ctx.progress("group", n));

    const groupsOf = new Map<string, string[]>();
    const memberCount = new Map<string, number>();
    await forEachConcurrently(groups.slice(0, ctx.limit), CONCURRENCY, async (group) => {
      const members = await listed<OktaUser>(api, `${org}/api/v1/groups/${encodeURIComponent(group.id)}/users?limit=1000`, Infinity);
      memberCount.set(group.id, members.length);
      for (const member of members) {
        const list = groupsOf.get(member.id);
        if (list) list.push(group.id);
        else groupsOf.set(member.id, [group.id]);
      }
    });

    const holders = await collectPages<string>(
      `${org}/api/v1/iam/assignees/users?limit=100`,
      async (url) => {
        const { body } = await api.get<{ value?: unknown; _links?: { next?: { href?: string } } }>(url);
        const next = body._links?.next?.href;
        return { items: arrayOf<{ id: string }>(body.value, PROVIDER).map((holder) => holder.id), next: next ? new URL(next, url).href : null };
      },
      Infinity,
    );
    const rolesOf = new Map<string, OktaRole[]>();
    await forEachConcurrently(holders, CONCURRENCY, async (userId) => {
      const { body } = await api.get<unknown>(`${org}/api/v1/users/${encodeURIComponent(userId)}/roles`);
      rolesOf.set(userId, arrayOf<OktaRole>(body, PROVIDER));
    });

    for (const user of users) {
      const roles = rolesOf.get(user.id) ?? [];
      const types = [...new Set(roles.map((role) => role.type))];
      const lesser = [...new Set(roles.filter((role) => role.type !== "SUPER_ADMIN").map((role) => role.label))];
      const inactive = user.status === "SUSPENDED" || user.status === "DEPROVISIONED";
      const name = user.profile.displayName || [user.profile.firstName, user.profile.lastName].filter(Boolean).join(" ") || user.profile.login;
      const kept = ctx.add({
        type: "user",
        externalId: user.id,
        name,
        email: user.profile.email ?? user.profile.login,
        attributes: {
          login: user.profile.login,
          status: user.status.toLowerCase(),
          lastLogin: user.lastLogin,
          groups: groupsOf.get(user.id) ?? [],
          roles: types,
          rolesThroughGroups: [...new Set(roles.filter((role) => role.assignmentType === "GROUP").map((role) => role.type))],
        },
        risk: assessRisk([
          [types.includes("SUPER_ADMIN"), "high", "Okta super administrator"],
          [lesser.length > 0, "medium", `Okta admin role: ${lesser.join(", ")}`],
          [inactive && types.length > 0, "high", `${user.status === "SUSPENDED" ? "Suspended" : "Deactivated"} account still holds admin roles`],
        ]),
      });
      if (!kept) break;
    }

    for (const group of groups) {
      const kept = ctx.add({
        type: "group",
        externalId: group.id,
        name: group.profile.name,
        attributes: { memberCount: memberCount.get(group.id) ?? 0, groupType: group.type, description: group.profile.description ?? null },
        risk: assessRisk([]),
      });
      if (!kept) break;
    }

    const roleHolders = new Map<string, { label: string; holders: Set<string> }>();
    for (const [userId, roles] of rolesOf) {
      for (const role of roles) {
        const entry = roleHolders.get(role.type) ?? { label: role.label, holders: new Set<string>() };
        entry.holders.add(userId);
        roleHolders.set(role.type, entry);
      }
    }
    ctx.progress("role", roleHolders.size);
    for (const [type, { label, holders: held }] of roleHolders) {
      if (!ctx.add({ type: "role", externalId: type, name: label, attributes: { roleType: type, holders: held.size }, risk: assessRisk([]) })) break;
    }
  },
};

/** An Okta listing (a JSON array per page, `Link: rel="next"`), up to `max` items. */
function listed<T>(api: DirectorySession, first: string, max: number, onPage?: (read: number) => void): Promise<T[]> {
  return collectPages<T>(
    first,
    async (url) => {
      const { body, headers } = await api.get<unknown>(url);
      const next = nextLinkFromHeader(headers.get("link"));
      return { items: arrayOf<T>(body, PROVIDER), next: next ? new URL(next, url).href : null };
    },
    max,
    onPage,
  );
}
