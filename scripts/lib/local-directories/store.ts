/**
 * The local directory emulator's data (scripts/lib/local-directories): one in-memory directory per Okta org, Google
 * Workspace domain and Entra ID tenant, with users, groups, memberships and admin role assignments, indexed once
 * when stored so the APIs (apis.ts) page through thousands of users cheaply.
 *
 * The model is provider-neutral; apis.ts renders it in each provider's wire shape. Roles come from each provider's
 * built-in catalogue (BUILT_IN_ROLES) and can be assigned to a user or to a group (Okta group administrators, Google
 * role assignments to a group, Entra ID role-assignable groups): a group's members hold its roles.
 * Development and tests only.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { DirectoryProvider } from "./shared.ts";

/** Okta ACTIVE / SUSPENDED / DEPROVISIONED; Google active / suspended; Entra ID accountEnabled true / false. */
export type DirectoryUserStatus = "active" | "suspended" | "deprovisioned";

export interface DirectoryUser {
  /** The provider's object id (Okta `00u…`, Google numeric, Entra ID GUID). */
  id: string;
  /** Okta `profile.login`, Google `primaryEmail`, Entra ID `userPrincipalName`. */
  email: string;
  givenName: string;
  familyName: string;
  status: DirectoryUserStatus;
  /** Google `isEnrolledIn2Sv` (2-Step Verification); ignored elsewhere. */
  isEnrolledIn2Sv: boolean;
  /** Entra ID `userType`; ignored elsewhere. */
  userType: "Member" | "Guest";
  /** Last sign-in (ISO 8601), null when never. */
  lastLogin: string | null;
  /** Creation time (ISO 8601). */
  created: string;
}

export interface DirectoryGroup {
  id: string;
  name: string;
  email: string;
  description: string;
}

/** A built-in admin role of the provider. */
export interface DirectoryRole {
  /** Okta: the role type (`SUPER_ADMIN`); Google: the numeric roleId; Entra ID: the directoryRole object id. */
  id: string;
  /** Okta: the label; Google: roleName (`_SEED_ADMIN_ROLE`); Entra ID: displayName. */
  name: string;
  description: string;
  /** Full control of the directory: Okta SUPER_ADMIN, Google `isSuperAdminRole`, Entra ID Global Administrator. */
  superAdmin: boolean;
  /** Entra ID roleTemplateId (the same GUID in every tenant). */
  templateId?: string;
}

export interface RoleAssignment {
  roleId: string;
  principalId: string;
  principalType: "user" | "group";
}

/** What a test or the dev launcher puts into the store. */
export interface DirectoryData {
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  memberships: { groupId: string; userId: string }[];
  roles: DirectoryRole[];
  assignments: RoleAssignment[];
}

/** A stored directory with its indexes (read-only for the APIs). */
export interface StoredDirectory extends DirectoryData {
  /** Google customer id (`C0…`), stable per directory. */
  customerId: string;
  userIndex: Map<string, number>;
  groupIndex: Map<string, number>;
  /** Member user ids per group id, in membership order. */
  membersOf: Map<string, string[]>;
  /** Group ids per user id. */
  groupsOf: Map<string, string[]>;
  /** Roles a user holds: directly (`user`) or through a group (`group`). */
  rolesOf(userId: string): { role: DirectoryRole; via: "user" | "group" }[];
}

/** Directories per provider, keyed by Okta org name, Google domain or Entra ID tenant id (case-insensitive). */
export class DirectoryStore {
  readonly #directories = new Map<string, StoredDirectory>();

  has(provider: DirectoryProvider, directory: string): boolean {
    return this.#directories.has(key(provider, directory));
  }

  /** The directory, or null when none is stored under that key. */
  get(provider: DirectoryProvider, directory: string): StoredDirectory | null {
    return this.#directories.get(key(provider, directory)) ?? null;
  }

  /**
   * Stores (or replaces) a directory.
   * @throws Error when a membership or assignment names a user, group or role that is not in `data`
   */
  put(provider: DirectoryProvider, directory: string, data: DirectoryData): void {
    this.#directories.set(key(provider, directory), indexed(data));
  }
}

function key(provider: DirectoryProvider, directory: string): string {
  return `${provider}:${directory.toLowerCase()}`;
}

function indexed(data: DirectoryData): StoredDirectory {
  const userIndex = new Map(data.users.map((user, i) => [user.id, i]));
  const groupIndex = new Map(data.groups.map((group, i) => [group.id, i]));
  const roleById = new Map(data.roles.map((role) => [role.id, role]));
  const membersOf = new Map<string, string[]>(data.groups.map((group) => [group.id, []]));
  const groupsOf = new Map<string, string[]>(data.users.map((user) => [user.id, []]));
  for (const { groupId, userId } of data.memberships) {
    if (!groupIndex.has(groupId) || !userIndex.has(userId)) throw new Error(`membership ${groupId}/${userId} names an unknown group or user`);
    membersOf.get(groupId)!.push(userId);
    groupsOf.get(userId)!.push(groupId);
  }
  const direct = new Map<string, DirectoryRole[]>();
  for (const assignment of data.assignments) {
    const role = roleById.get(assignment.roleId);
    const known = assignment.principalType === "user" ? userIndex.has(assignment.principalId) : groupIndex.has(assignment.principalId);
    if (!role || !known) throw new Error(`assignment of ${assignment.roleId} to ${assignment.principalId} names an unknown role or principal`);
    direct.set(assignment.principalId, [...(direct.get(assignment.principalId) ?? []), role]);
  }
  return {
    ...data,
    customerId: `C0${randomBytes(4).toString("hex")}`,
    userIndex,
    groupIndex,
    membersOf,
    groupsOf,
    rolesOf(userId) {
      const held: { role: DirectoryRole; via: "user" | "group" }[] = (direct.get(userId) ?? []).map((role) => ({ role, via: "user" }));
      for (const groupId of groupsOf.get(userId) ?? []) for (const role of direct.get(groupId) ?? []) held.push({ role, via: "group" });
      return held;
    },
  };
}

/**
 * Each provider's built-in admin roles, the most powerful first. Okta role types
 * (https://developer.okta.com/docs/api/openapi/okta-management/guides/roles/), Google system roles
 * (`_SEED_ADMIN_ROLE` is Super Admin), Entra ID role template ids
 * (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
 */
export function builtInRoles(provider: DirectoryProvider): DirectoryRole[] {
  if (provider === "okta") {
    return [
      { id: "SUPER_ADMIN", name: "Super Administrator", description: "Full control of the org", superAdmin: true },
      { id: "ORG_ADMIN", name: "Organizational Administrator", description: "Manages users, groups and settings", superAdmin: false },
      { id: "USER_ADMIN", name: "Group Administrator", description: "Manages users and groups", superAdmin: false },
      { id: "HELP_DESK_ADMIN", name: "Help Desk Administrator", description: "Resets passwords and factors", superAdmin: false },
      { id: "READ_ONLY_ADMIN", name: "Read-only Administrator", description: "Reads everything", superAdmin: false },
    ];
  }
  if (provider === "google") {
    return [
      { id: "91447453409034240", name: "_SEED_ADMIN_ROLE", description: "Google Workspace Administrator Seed Role", superAdmin: true },
      { id: "91447453409034241", name: "_USER_MANAGEMENT_ADMIN_ROLE", description: "User Management Administrator", superAdmin: false },
      { id: "91447453409034242", name: "_GROUPS_ADMIN_ROLE", description: "Groups Administrator", superAdmin: false },
      { id: "91447453409034243", name: "_HELP_DESK_ADMIN_ROLE", description: "Help Desk Administrator", superAdmin: false },
      { id: "91447453409034244", name: "_SERVICE_ADMIN_ROLE", description: "Services Administrator", superAdmin: false },
    ];
  }
  return [
    { name: "Global Administrator", templateId: "62e90394-69f5-4237-9190-012177145e10", description: "Can manage all aspects of Microsoft Entra ID", superAdmin: true },
    { name: "Privileged Role Administrator", templateId: "e8611ab8-c189-46e8-94e1-60213ab1f814", description: "Can manage role assignments", superAdmin: false },
    { name: "User Administrator", templateId: "fe930be7-5e62-47db-91af-98c3a49a38b1", description: "Can manage users and groups", superAdmin: false },
    { name: "Helpdesk Administrator", templateId: "729827e3-9c14-49f7-bb1b-9608f156bbb8", description: "Can reset passwords for non-administrators", superAdmin: false },
    { name: "Global Reader", templateId: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", description: "Can read everything a Global Administrator can", superAdmin: false },
  ].map((role) => ({ ...role, id: randomUUID() }));
}

/** A new object id in the provider's format. */
function newId(provider: DirectoryProvider, kind: "user" | "group"): string {
  if (provider === "entra") return randomUUID();
  if (provider === "okta") return `${kind === "user" ? "00u" : "00g"}${randomBytes(13).toString("base64url").replace(/[-_]/g, "x").slice(0, 17)}`;
  return kind === "user" ? `1${BigInt(`0x${randomBytes(8).toString("hex")}`).toString().padStart(20, "0")}` : `03${randomBytes(7).toString("hex")}`;
}

function user(provider: DirectoryProvider, domain: string, given: string, family: string, facts: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: newId(provider, "user"),
    email: `${given}.${family}@${domain}`.toLowerCase(),
    givenName: given,
    familyName: family,
    status: "active",
    isEnrolledIn2Sv: true,
    userType: "Member",
    lastLogin: new Date(Date.now() - 86_400_000).toISOString(),
    created: "2024-01-15T09:00:00.000Z",
    ...facts,
  };
}

function group(provider: DirectoryProvider, domain: string, name: string, description: string): DirectoryGroup {
  return { id: newId(provider, "group"), name, email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}@${domain}`, description };
}

/**
 * A small directory with the risky accounts the integration pages show, for `npm run dev`:
 * - Ada: super administrator (Okta SUPER_ADMIN, Google super admin without 2-Step Verification, Entra ID Global
 *   Administrator);
 * - Ben: a lesser admin role; Gus: an Entra ID guest; Gwen: a guest holding a role;
 * - Sam: suspended, still in the "IT Admins" group that holds an admin role; Dora: deprovisioned with a direct role;
 * - Eve and Finn: ordinary members (Finn never signed in).
 * @param domain the email domain (the Google domain for Google)
 */
export function demoDirectory(provider: DirectoryProvider, domain = "acme.test"): DirectoryData {
  const roles = builtInRoles(provider);
  const [superRole, adminRole, , helpDeskRole] = roles as [DirectoryRole, DirectoryRole, DirectoryRole, DirectoryRole];
  const ada = user(provider, domain, "Ada", "Admin", { isEnrolledIn2Sv: false });
  const ben = user(provider, domain, "Ben", "Builder");
  const gus = user(provider, domain, "Gus", "Guest", { userType: "Guest", email: `gus_partner.test#EXT#@${domain}` });
  const gwen = user(provider, domain, "Gwen", "Guest", { userType: "Guest", email: `gwen_vendor.test#EXT#@${domain}` });
  const sam = user(provider, domain, "Sam", "Suspended", { status: "suspended" });
  const dora = user(provider, domain, "Dora", "Departed", { status: "deprovisioned", lastLogin: "2025-03-01T12:00:00.000Z" });
  const eve = user(provider, domain, "Eve", "Everyday");
  const finn = user(provider, domain, "Finn", "Fresh", { lastLogin: null, isEnrolledIn2Sv: false });
  const users = provider === "entra" ? [ada, ben, gus, gwen, sam, dora, eve, finn] : [ada, ben, sam, dora, eve, finn];
  const everyone = group(provider, domain, "Everyone", "All staff");
  const engineering = group(provider, domain, "Engineering", "Engineers");
  const itAdmins = group(provider, domain, "IT Admins", "Administers the directory");
  const memberships = [
    ...users.filter((u) => u.userType === "Member").map((u) => ({ groupId: everyone.id, userId: u.id })),
    { groupId: engineering.id, userId: ben.id },
    { groupId: engineering.id, userId: eve.id },
    { groupId: itAdmins.id, userId: sam.id },
    { groupId: itAdmins.id, userId: ben.id },
  ];
  const assignments: RoleAssignment[] = [
    { roleId: superRole.id, principalId: ada.id, principalType: "user" },
    { roleId: adminRole.id, principalId: ben.id, principalType: "user" },
    { roleId: helpDeskRole.id, principalId: itAdmins.id, principalType: "group" },
    { roleId: adminRole.id, principalId: dora.id, principalType: "user" },
    ...(provider === "entra" ? [{ roleId: helpDeskRole.id, principalId: gwen.id, principalType: "user" as const }] : []),
  ];
  return { users, groups: [everyone, engineering, itAdmins], memberships, roles, assignments };
}

/**
 * A large directory for pagination, limit and benchmark runs. User i (from 0) is `user<i>@<domain>`; every 1,000th
 * is a super administrator, every 250th holds the second role, every 97th is suspended, every 3rd has no 2-Step
 * Verification, every 50th is an Entra ID guest. Each user is in `membershipsPerUser` distinct groups (spread evenly),
 * so the directory has `users * membershipsPerUser` memberships.
 * @throws Error when membershipsPerUser exceeds groups
 */
export function largeDirectory(options: { provider?: DirectoryProvider; domain?: string; users: number; groups: number; membershipsPerUser: number }): DirectoryData {
  const provider = options.provider ?? "okta";
  const domain = options.domain ?? "large.test";
  if (options.membershipsPerUser > options.groups) throw new Error("membershipsPerUser must not exceed groups");
  const roles = builtInRoles(provider);
  const groups = Array.from({ length: options.groups }, (_, i) => group(provider, domain, `Team ${i}`, `Generated team ${i}`));
  const users: DirectoryUser[] = [];
  const memberships: { groupId: string; userId: string }[] = [];
  const assignments: RoleAssignment[] = [];
  const step = Math.max(1, Math.floor(options.groups / options.membershipsPerUser));
  for (let i = 0; i < options.users; i++) {
    const u: DirectoryUser = {
      ...user(provider, domain, "user", String(i)),
      email: `user${i}@${domain}`,
      status: i % 97 === 96 ? "suspended" : "active",
      isEnrolledIn2Sv: i % 3 !== 0,
      userType: i % 50 === 49 ? "Guest" : "Member",
    };
    users.push(u);
    for (let k = 0; k < options.membershipsPerUser; k++) memberships.push({ groupId: groups[(i + k * step) % options.groups]!.id, userId: u.id });
    if (i % 1000 === 0) assignments.push({ roleId: roles[0]!.id, principalId: u.id, principalType: "user" });
    else if (i % 250 === 0) assignments.push({ roleId: roles[1]!.id, principalId: u.id, principalType: "user" });
  }
  return { users, groups, memberships, roles, assignments };
}
