/**
 * The Okta, Google Workspace and Entra ID connectors against the local directory emulator over real HTTP: full
 * pagination, throttling survived, risk levels, the per-type limit, abort by the sync's signal, and tokens refused
 * for another directory. Tokens are registered with the emulator directly and sealed into a real integration row, so
 * each run goes through lib/integrations/oauth.ts `getAccessToken` like a scheduled sync does.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sealCredentials } from "@/lib/integrations/credentials";
import { entraConnector } from "@/lib/integrations/entra";
import { googleConnector } from "@/lib/integrations/google";
import { REQUIRED_SCOPES } from "@/lib/integrations/oauth";
import { oktaConnector } from "@/lib/integrations/okta";
import { IntegrationError, type Connector, type FoundResource, type IntegrationRecord, type ResourceType, type SyncContext } from "@/lib/integrations/types";
import { startLocalDirectories, type LocalDirectories } from "../../scripts/lib/local-directories/index.ts";
import type { DirectoryProvider } from "../../scripts/lib/local-directories/shared.ts";
import { demoDirectory, largeDirectory, type DirectoryData } from "../../scripts/lib/local-directories/store.ts";
import { createPartner, unique, setTestEnv } from "./support";

let emulator: LocalDirectories;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  emulator = await startLocalDirectories({ redirectOrigins: ["http://localhost:3000"] });
  restoreEnv = setTestEnv(emulator.env);
});

afterAll(async () => {
  restoreEnv?.();
  await emulator?.stop();
});

afterEach(() => {
  emulator.faults.throttleEvery = 0;
  emulator.faults.delayMs = 0;
});

const CONNECTORS: Record<DirectoryProvider, Connector> = { okta: oktaConnector, google: googleConnector, entra: entraConnector };

/** A fresh directory key per provider: an Okta org name, a Google domain, an Entra tenant id. */
function newDirectoryKey(provider: DirectoryProvider): string {
  if (provider === "okta") return unique("org");
  if (provider === "google") return `${unique("ws")}.test`;
  return randomUUID();
}

/** What the partner typed at setup: the Okta org URL, the Google domain, the Entra tenant id. */
function integrationDirectory(provider: DirectoryProvider, key: string): string {
  return provider === "okta" ? `${emulator.url}/okta/${key}` : key;
}

/**
 * Stores `data` under a new directory, issues an access token (for `tokenDirectory`, default the same one) and
 * creates a connected integration holding it sealed.
 */
async function connect(provider: DirectoryProvider, data: DirectoryData, options: { tokenDirectory?: string; scopes?: string[]; key?: string } = {}) {
  const key = options.key ?? newDirectoryKey(provider);
  emulator.store.put(provider, key, data);
  const scopes = options.scopes ?? REQUIRED_SCOPES[provider];
  const accessToken = `local-at-${randomBytes(24).toString("base64url")}`;
  emulator.tokens.add(accessToken, { provider, directory: options.tokenDirectory ?? key, scopes, expiresAt: Date.now() + 3_600_000 });
  const partner = await createPartner();
  const row = await db.integration.create({
    data: { partnerId: partner.id, provider, name: `${provider} ${key}`, status: "connected", directory: integrationDirectory(provider, key), grantedScopes: scopes },
  });
  const sealed = sealCredentials(
    { partnerId: partner.id, integrationId: row.id, provider },
    { access_token: accessToken, refresh_token: `local-rt-${randomBytes(16).toString("hex")}`, expires_at: Math.floor(Date.now() / 1000) + 3600, scope: scopes.join(" ") },
  );
  const integration: IntegrationRecord = await db.integration.update({ where: { id: row.id }, data: { credentials: sealed.sealed, credentialsKeyId: sealed.keyId } });
  return { key, integration, accessToken };
}

/** A SyncContext like the sync engine's: keeps `limit` per type, records progress and audit events. */
function recorder(integration: IntegrationRecord, options: { limit?: number; signal?: AbortSignal } = {}) {
  const limit = options.limit ?? 5000;
  const kept: FoundResource[] = [];
  const truncated = new Set<ResourceType>();
  const progress: Partial<Record<ResourceType, number[]>> = {};
  const audits: { action: string; metadata?: Record<string, unknown> }[] = [];
  const ctx: SyncContext = {
    integration,
    signal: options.signal ?? new AbortController().signal,
    limit,
    add(resource) {
      if (kept.filter((r) => r.type === resource.type).length >= limit) {
        truncated.add(resource.type);
        return false;
      }
      kept.push(resource);
      return true;
    },
    progress(type, read) {
      (progress[type] ??= []).push(read);
    },
    async audit(action, metadata) {
      audits.push({ action, metadata });
    },
  };
  const of = (type: ResourceType) => kept.filter((r) => r.type === type);
  const user = (emailPrefix: string) => {
    const found = of("user").find((r) => r.email?.toLowerCase().startsWith(emailPrefix));
    if (!found) throw new Error(`no user ${emailPrefix}`);
    return found;
  };
  return { ctx, kept, truncated, progress, audits, of, user };
}

/** A recorder whose add() is fast at 5,000+ resources (counts per type instead of filtering). */
function countingRecorder(integration: IntegrationRecord, limit = 5000) {
  const counts = new Map<ResourceType, number>();
  const kept: FoundResource[] = [];
  const truncated = new Set<ResourceType>();
  const progress: Partial<Record<ResourceType, number[]>> = {};
  const ctx: SyncContext = {
    integration,
    signal: new AbortController().signal,
    limit,
    add(resource) {
      const n = counts.get(resource.type) ?? 0;
      if (n >= limit) {
        truncated.add(resource.type);
        return false;
      }
      counts.set(resource.type, n + 1);
      kept.push(resource);
      return true;
    },
    progress(type, read) {
      (progress[type] ??= []).push(read);
    },
    async audit() {},
  };
  return { ctx, kept, truncated, progress, counts };
}

describe("the emulator's directory APIs", () => {
  it("pages Okta users with Link rel=next and X-Rate-Limit headers, and refuses other orgs' tokens and missing scopes", async () => {
    const { key, accessToken } = await connect("okta", largeDirectory({ users: 5, groups: 1, membershipsPerUser: 1 }));
    const first = await fetch(`${emulator.url}/okta/${key}/api/v1/users?limit=2`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(first.status).toBe(200);
    expect(((await first.json()) as unknown[]).length).toBe(2);
    expect(first.headers.get("link")).toMatch(/<[^>]+after=00u[^>]+>; rel="next"/);
    expect(Number(first.headers.get("x-rate-limit-limit"))).toBeGreaterThan(0);
    expect(Number(first.headers.get("x-rate-limit-reset"))).toBeGreaterThan(Date.now() / 1000);

    const other = await connect("okta", demoDirectory("okta"));
    const refused = await fetch(`${emulator.url}/okta/${key}/api/v1/users`, { headers: { authorization: `Bearer ${other.accessToken}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errorCode: "E0000011" });

    const usersOnly = await connect("okta", demoDirectory("okta"), { scopes: ["okta.users.read"] });
    const noScope = await fetch(`${emulator.url}/okta/${usersOnly.key}/api/v1/groups`, { headers: { authorization: `Bearer ${usersOnly.accessToken}` } });
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("holds Google and Graph to their documented page-size ranges and Graph to $select", async () => {
    const google = await connect("google", demoDirectory("google"));
    const tooMany = await fetch(`${emulator.url}/google/admin/directory/v1/users?customer=my_customer&maxResults=501`, { headers: { authorization: `Bearer ${google.accessToken}` } });
    expect(tooMany.status).toBe(400);
    const noCustomer = await fetch(`${emulator.url}/google/admin/directory/v1/users`, { headers: { authorization: `Bearer ${google.accessToken}` } });
    expect(noCustomer.status).toBe(400);

    const entra = await connect("entra", demoDirectory("entra"));
    const auth = { headers: { authorization: `Bearer ${entra.accessToken}` } };
    expect((await fetch(`${emulator.url}/entra/graph/v1.0/users?$top=1000`, auth)).status).toBe(400);
    const plain = (await (await fetch(`${emulator.url}/entra/graph/v1.0/users?$top=2`, auth)).json()) as { value: Record<string, unknown>[]; "@odata.nextLink"?: string };
    expect(plain.value[0]).not.toHaveProperty("accountEnabled");
    expect(plain["@odata.nextLink"]).toContain("$skiptoken=");
    const selected = (await (await fetch(`${emulator.url}/entra/graph/v1.0/users?$select=id,accountEnabled,userType`, auth)).json()) as { value: Record<string, unknown>[] };
    expect(Object.keys(selected.value[0]!).sort()).toEqual(["accountEnabled", "id", "userType"]);
    expect((await fetch(`${emulator.url}/entra/graph/v1.0/users?$select=id,signInActivity`, auth)).status).toBe(403);
  });
});

describe.each(["okta", "google", "entra"] as const)("the %s connector", (provider) => {
  it("follows every page of users and group members", async () => {
    // 2,500 users in 2 groups of 1,250: several pages of users and of members at each provider's page size.
    const { integration } = await connect(provider, largeDirectory({ provider, users: 2500, groups: 2, membershipsPerUser: 1 }));
    const run = recorder(integration);
    await CONNECTORS[provider].sync(run.ctx);

    const users = run.of("user");
    expect(users).toHaveLength(2500);
    expect(new Set(users.map((u) => u.externalId)).size).toBe(2500);
    expect(users.every((u) => (u.attributes.groups as string[]).length === 1)).toBe(true);
    expect(run.of("group").map((g) => g.attributes.memberCount)).toEqual([1250, 1250]);
    expect(run.progress.user!.length).toBeGreaterThan(2);
    expect(run.progress.user!.at(-1)).toBe(2500);
    expect(run.truncated.size).toBe(0);
    expect(run.audits).toEqual([{ action: "credential_used", metadata: { via: "oauth_access_token" } }]);
  });

  it("survives throttling (429) by waiting as the provider asks", async () => {
    const baseline = recorder((await connect(provider, demoDirectory(provider))).integration);
    await CONNECTORS[provider].sync(baseline.ctx);

    const { integration } = await connect(provider, demoDirectory(provider));
    emulator.faults.throttleEvery = 4;
    const run = recorder(integration);
    const started = Date.now();
    await CONNECTORS[provider].sync(run.ctx);
    // Each 429 asks for about a second (Retry-After: 1, or an X-Rate-Limit-Reset at the next second).
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const summary = (r: typeof run) => r.kept.map((x) => `${x.type}:${x.name}:${x.risk.level}`).sort();
    expect(summary(run)).toEqual(summary(baseline));
  });

  it("aborts promptly when the sync's signal fires on a slow provider", async () => {
    const { integration } = await connect(provider, demoDirectory(provider));
    emulator.faults.delayMs = 10_000;
    const controller = new AbortController();
    const run = recorder(integration, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("sync timed out")), 300);
    const started = Date.now();
    await expect(CONNECTORS[provider].sync(run.ctx)).rejects.toThrow("sync timed out");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("keeps `limit` users of limit + 1 and marks the type cut without reading on", async () => {
    const { integration } = await connect(provider, largeDirectory({ provider, users: 5001, groups: 2, membershipsPerUser: 1 }));
    const run = countingRecorder(integration, 5000);
    await CONNECTORS[provider].sync(run.ctx);
    expect(run.counts.get("user")).toBe(5000);
    expect([...run.truncated]).toEqual(["user"]);
    expect(run.progress.user!.at(-1)).toBe(5001);
    expect(run.counts.get("group")).toBe(2);
  });

  // How long this takes is the benchmark's business (npm run bench, "Integration sync"); here only that all of it is read.
  it("reads 5,000 users and all their 20,000 memberships (the benchmark's directory)", async () => {
    const { integration } = await connect(provider, largeDirectory({ provider, users: 5000, groups: 250, membershipsPerUser: 4 }));
    const run = countingRecorder(integration, 5000);
    await CONNECTORS[provider].sync(run.ctx);
    expect(run.counts.get("user")).toBe(5000);
    expect(run.kept.filter((r) => r.type === "user").reduce((sum, u) => sum + (u.attributes.groups as string[]).length, 0)).toBe(20_000);
  });
});

describe("risk", () => {
  it("Okta: super admins high, other admins medium, suspended and deactivated role holders high", async () => {
    const run = recorder((await connect("okta", demoDirectory("okta"))).integration);
    await oktaConnector.sync(run.ctx);
    expect(run.user("ada").risk).toEqual({ level: "high", reasons: ["Okta super administrator"] });
    expect(run.user("ben").risk.level).toBe("medium");
    expect(run.user("ben").attributes.roles).toEqual(expect.arrayContaining(["ORG_ADMIN", "HELP_DESK_ADMIN"]));
    // Sam holds a role only through the "IT Admins" group; Dora is DEPROVISIONED (listed only when filtered for).
    expect(run.user("sam").risk).toMatchObject({ level: "high", reasons: expect.arrayContaining(["Suspended account still holds admin roles"]) });
    expect(run.user("dora").risk).toMatchObject({ level: "high", reasons: expect.arrayContaining(["Deactivated account still holds admin roles"]) });
    expect(run.user("eve").risk).toEqual({ level: "low", reasons: [] });
    expect(run.user("eve").attributes.groups).toHaveLength(2);
    expect(run.of("group").find((g) => g.name === "IT Admins")?.attributes.memberCount).toBe(2);
    expect(run.of("role").find((r) => r.externalId === "SUPER_ADMIN")).toMatchObject({ type: "role", attributes: { holders: 1 } });
  });

  it("Google: admins without 2-Step Verification critical, super admins high, suspended role holders high", async () => {
    const run = recorder((await connect("google", demoDirectory("google"))).integration);
    await googleConnector.sync(run.ctx);
    expect(run.user("ada").risk).toEqual({ level: "critical", reasons: ["Administrator without 2-Step Verification", "Google Workspace super administrator"] });
    expect(run.user("ada").attributes).toMatchObject({ isAdmin: true, isEnrolledIn2Sv: false });
    expect(run.user("ben").risk.level).toBe("medium");
    expect(run.user("sam").risk).toMatchObject({ level: "high", reasons: expect.arrayContaining(["Suspended account still holds admin roles"]) });
    expect(run.user("finn").risk.level).toBe("low"); // no 2-Step Verification, but no admin either
    expect(run.of("role").find((r) => r.name === "Super Admin")?.attributes.holders).toBe(1);
  });

  it("Entra ID: Global Administrators high, guests medium, guests with roles and disabled role holders high", async () => {
    const run = recorder((await connect("entra", demoDirectory("entra"))).integration);
    await entraConnector.sync(run.ctx);
    expect(run.user("ada").risk).toEqual({ level: "high", reasons: ["Entra ID Global Administrator"] });
    expect(run.user("ben").risk.level).toBe("medium");
    expect(run.user("gus").risk).toEqual({ level: "medium", reasons: ["Guest account"] });
    expect(run.user("gwen").risk).toMatchObject({ level: "high", reasons: expect.arrayContaining(["Guest account holds a directory role"]) });
    expect(run.user("sam").risk).toMatchObject({ level: "high", reasons: expect.arrayContaining(["Disabled account still holds directory roles"]) });
    expect(run.user("eve").risk.level).toBe("low");
    expect(run.of("group").find((g) => g.name === "IT Admins")?.attributes).toMatchObject({ memberCount: 2, roles: ["Helpdesk Administrator"] });
    expect(run.of("role").find((r) => r.name === "Global Administrator")?.attributes).toMatchObject({ roleTemplateId: "62e90394-69f5-4237-9190-012177145e10", holders: 1 });
  });
});

describe("a token for another directory", () => {
  it.each(["okta", "google", "entra"] as const)("%s: refused, and the error never carries the token", async (provider) => {
    const otherKey = newDirectoryKey(provider);
    emulator.store.put(provider, otherKey, demoDirectory(provider));
    const { integration, accessToken } = await connect(provider, demoDirectory(provider), { tokenDirectory: otherKey });
    const run = recorder(integration);
    const failure = await CONNECTORS[provider].sync(run.ctx).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(IntegrationError);
    expect((failure as IntegrationError).code).toBe("access_denied");
    expect((failure as Error).message).not.toContain(accessToken);
    expect(JSON.stringify(failure)).not.toContain(accessToken);
    expect(run.kept).toHaveLength(0);
  });

  it("okta: the API itself answers 401 and the connector says the token was refused", async () => {
    const otherKey = newDirectoryKey("okta");
    emulator.store.put("okta", otherKey, demoDirectory("okta"));
    const { integration } = await connect("okta", demoDirectory("okta"), { tokenDirectory: otherKey });
    await expect(oktaConnector.sync(recorder(integration).ctx)).rejects.toThrow("Okta refused Gatehouse's access token (HTTP 401)");
  });

  it("a missing scope fails with 403 naming the API path", async () => {
    const { integration } = await connect("okta", demoDirectory("okta"), { scopes: ["okta.users.read", "okta.groups.read"] });
    await expect(oktaConnector.sync(recorder(integration).ctx)).rejects.toThrow(/Okta denied Gatehouse access to \/okta\/[^ ]+\/api\/v1\/iam\/assignees\/users \(HTTP 403\)/);
  });
});
