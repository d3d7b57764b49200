/**
 * A refused answer carries nothing of what it refused (issue "Access declared once", §8), against a production build.
 *
 * Every page (app/**\/page.tsx), every route handler method (app/**\/route.ts) and every server action of the build
 * (its server-reference manifest) is enumerated from the files, so a new one is covered by default. Each is asked by
 * every caller that must not see tenant A's or the admins' data:
 *   anonymous · a made-up session cookie · a member of another partner (B) · a member of a pending partner ·
 *   B's portal session · A's revoked API key (as X-API-Key and as Bearer)
 * aimed at A's objects wherever the path or form names one. Whatever the status (307, 401, 403, 404, even 200 for
 * B's own pages), the BODY and headers must hold none of the data planted for others; and afterwards A's data and the
 * admin-managed tables are unchanged. Positive controls first prove the needles are findable by those allowed.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { revokeApiKey } from "@/lib/api-keys/api-keys";
import { allowDomainAsAdmin } from "@/lib/partners/allowlist";
import { createAppClientAsAdmin } from "@/lib/oauth/app-clients";
import { ROOT } from "../../scripts/lib/env-files.ts";
import { createPartner, createUser, unique } from "../integration/support.ts";
import { productionSessionCookie, SAME_ORIGIN, send, seedTenant, startUnlimitedInstance, tenantSnapshot, type Tenant } from "./support/fixtures.ts";
import { HOSTILE_DIST_DIR, type ProductionInstance } from "./support/production.ts";
import { discoverRoutes, fillPattern, loadRoutePolicies, routeMethods, UNSAFE_METHODS } from "./support/routes.ts";

let app: ProductionInstance;
let victim: Tenant;
let other: Tenant;
let adminCookie: string;
/** What no refused caller may ever see, by what it is. */
const needles: Record<string, string> = {};
/** Who asks, as request headers. */
const callers: Record<string, Record<string, string>> = {};
/** Ids of A's (and the admins') objects, for paths and forms. */
let targets: { outboxEmailId: string; allowlistEntryId: string; pendingPartnerId: string; grantId: string };

/** `app/**\/page.tsx` as URL patterns (route groups vanish from the URL). */
function discoverPages(): { file: string; pattern: string }[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name === "page.tsx" ? [path.join(dir, entry.name)] : []));
  return walk(path.join(ROOT, "app"))
    .map((file) => {
      const segments = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
      return { file: path.relative(ROOT, file), pattern: `/${segments.join("/")}` };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Every server action in the production build, with the page it belongs to. */
function discoverServerActions(): { id: string; file: string; name: string; page: string }[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, HOSTILE_DIST_DIR, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const segments = path.dirname(entry.filename).split("/").slice(1).filter((s) => !/^\(.*\)$/.test(s));
    return { id, file: entry.filename, name: entry.exportedName, page: `/${segments.join("/")}` };
  });
}

/** Fills a page's or route's dynamic segments with A's objects (or the admins' ones). */
function paramsFor(pattern: string): Record<string, string> {
  // The first rule whose prefix (or fragment) the pattern has names the object its [id] aims at.
  const rules: [(pattern: string) => boolean, string][] = [
    [(p) => p.startsWith("/api/admin/partners") || p.startsWith("/admin/partners/"), targets.pendingPartnerId],
    [(p) => p.startsWith("/api/admin/users"), victim.user.id],
    [(p) => p.startsWith("/api/admin/oauth/clients"), victim.oauthClient.id],
    [(p) => p.startsWith("/api/admin/allowlist"), targets.allowlistEntryId],
    [(p) => p.startsWith("/api/auth/api-keys") || p.startsWith("/auth/api-keys") || p.startsWith("/api/partner/api-keys"), victim.apiKey.id],
    [(p) => p.startsWith("/api/partner/invitations"), victim.invitationId],
    [(p) => p.includes("/integrations/"), victim.integration.id],
    [(p) => p.includes("groups"), victim.groupId],
    [(p) => p.includes("clients"), victim.portalClientId],
    [(p) => p.startsWith("/projects/"), victim.unlinkedProjectId],
  ];
  const id = rules.find(([matches]) => matches(pattern))?.[1] ?? victim.projectId;
  const action = pattern.startsWith("/api/admin/oauth") ? "rotate-secret" : pattern.startsWith("/api/admin/users") ? "promote" : "approve";
  return { id, userId: victim.colleague.id, jobId: victim.syncJobId, action, token: "gpl_not-a-real-link", nextauth: "session" };
}

/** Form fields naming A's objects, for server actions (each reads the ones it knows). */
function actionFields(): Record<string, string> {
  return {
    partnerId: targets.pendingPartnerId,
    groupId: victim.groupId,
    userId: victim.colleague.id,
    clientId: victim.portalClientId,
    accessTokenId: victim.portalLink.id,
    keyId: victim.apiKey.id,
    invitationId: victim.invitationId,
    role: "owner",
    projectId: victim.projectId,
    grantId: targets.grantId,
    integrationId: victim.integration.id,
    provider: "aws",
    directory: victim.integration.directory,
    role_arn: "arn:aws:iam::123456789012:role/refused",
    sync_interval_hours: "1",
    emailId: targets.outboxEmailId,
    entryId: targets.allowlistEntryId,
    id: victim.oauthClient.id,
    active: "false",
    reason: "refused by the hostile suite",
    value: `${unique("refused")}.test`,
    name: unique("Refused"),
    label: "refused",
  };
}

/** The admin-managed world a refused write could touch. */
async function adminWorld(): Promise<string> {
  const [partners, allowlist, oauthClients, outbox, admins, appClients, grants] = await Promise.all([
    db.partner.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true } }),
    db.allowlistEntry.findMany({ orderBy: { id: "asc" } }),
    db.oAuthClient.findMany({ orderBy: { id: "asc" }, select: { id: true, secretDigest: true, disabledAt: true } }),
    db.outboxEmail.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, nextAttemptAt: true } }),
    db.user.findMany({ where: { role: "admin" }, orderBy: { id: "asc" }, select: { id: true } }),
    db.appClient.findMany({ orderBy: { id: "asc" }, select: { id: true, blockedAt: true } }),
    db.oAuthGrant.findMany({ orderBy: { id: "asc" }, select: { id: true, scopes: true } }),
  ]);
  return JSON.stringify({ partners, allowlist, oauthClients, outbox, admins, appClients, grants });
}

/** The needles found in a response, ignoring ids the request itself named (echoing input back is no leak). */
function leaks(response: { text: string; headers: Headers }, request: string): string[] {
  const everything = `${response.text}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}`;
  return Object.entries(needles)
    .filter(([, needle]) => !request.includes(needle) && !request.includes(encodeURIComponent(needle)) && everything.includes(needle))
    .map(([what]) => what);
}

beforeAll(async () => {
  app = await startUnlimitedInstance("refusals");
  victim = await seedTenant(unique("Victim"), app.url);
  other = await seedTenant(unique("Other"), app.url);

  const pending = await createPartner({ status: "pending_approval", name: unique("Pending Signup Ltd") });
  const magicLink = `/portal/enter/gpl_${unique("plantedlink")}`;
  const email = await db.outboxEmail.create({ data: { dedupeKey: unique("refusals"), to: ["contact@victim.test"], subject: unique("Your portal link"), text: `Open ${magicLink}` } });
  const allowed = `${unique("allowed")}.test`;
  const entry = await allowDomainAsAdmin({ value: allowed }, systemAdminActor());
  // An app A's member connected (Connected apps on /me, /partner/connected-apps; /admin/apps for admins).
  const { client: app_ } = await createAppClientAsAdmin({ name: unique("Connected App"), redirect_uris: "https://app.victim.test/callback" }, systemAdminActor());
  const grant = await db.oAuthGrant.create({ data: { userId: victim.user.id, partnerId: victim.partnerId, appClientId: app_.id, scopes: ["mcp:tools"], resource: `${app.url}/api/mcp` } });
  targets = { outboxEmailId: email.id, allowlistEntryId: entry.id, pendingPartnerId: pending.id, grantId: grant.id };

  const victimClient = await db.client.findUniqueOrThrow({ where: { id: victim.portalClientId } });
  Object.assign(needles, {
    "A's group name": victim.groupName,
    "A's member email": victim.user.email,
    "A's portal client name": victimClient.name,
    "A's project notes": `${victim.label} notes`,
    "A's OAuth client_id": victim.oauthClient.clientId,
    "A's partner id": victim.partnerId,
    "A's colleague id": victim.colleague.id,
    "admin outbox magic link": magicLink,
    "pending signup (admin queue)": pending.name,
    "allowlist entry": allowed,
    "A's connected app": app_.name,
    "A's integration name": victim.integration.name,
    "A's Okta org": victim.integration.directory,
    "A's directory user (name)": victim.resource.name,
    "A's directory user (email)": victim.resource.email,
    "A's sync job id": victim.syncJobId,
  });
  for (const [i, secret] of victim.secrets.entries()) needles[`A's secret #${i}`] = secret;

  const revokedKey = victim.apiKey.secret;
  await revokeApiKey(victim.partnerId, victim.user.id, victim.apiKey.id, { type: "user", id: victim.user.id });
  const pendingMember = await createUser({ partnerId: (await createPartner({ status: "pending_approval" })).id });
  callers.anonymous = {};
  callers["made-up session cookie"] = { cookie: "__Secure-authjs.session-token=anything" };
  callers["member of another partner"] = { cookie: other.sessionCookie };
  callers["member of a pending partner"] = { cookie: await productionSessionCookie(pendingMember.id) };
  callers["another partner's portal session"] = { cookie: other.portalCookie };
  callers["A's revoked API key (X-API-Key)"] = { "x-api-key": revokedKey };
  callers["A's revoked API key (Bearer)"] = { authorization: `Bearer ${revokedKey}` };
  adminCookie = await productionSessionCookie((await createUser({ role: "admin" })).id);
});

afterAll(async () => {
  await app?.stop();
});

describe("refused answers carry nothing", () => {
  it("shows the needles to those allowed to see them (positive control)", async () => {
    const admin = await Promise.all(["/admin/outbox", "/admin/partners?tab=pending", "/admin/partners/domains", "/admin/oauth-clients"].map((p) => send(app.url, "GET", p, { headers: { cookie: adminCookie } })));
    const adminText = admin.map((r) => r.text).join("\n");
    for (const what of ["admin outbox magic link", "pending signup (admin queue)", "allowlist entry", "A's OAuth client_id"]) expect(adminText, what).toContain(needles[what]);
    const member = await send(app.url, "GET", `/partner/groups/${victim.groupId}`, { headers: { cookie: victim.sessionCookie } });
    expect(member.text).toContain(victim.groupName);
    const account = await send(app.url, "GET", "/me", { headers: { cookie: victim.sessionCookie } });
    expect(account.text).toContain(needles["A's connected app"]);
    const apps = await send(app.url, "GET", "/admin/apps", { headers: { cookie: adminCookie } });
    expect(apps.text).toContain(needles["A's connected app"]);
    const integrations = await send(app.url, "GET", "/partner/integrations", { headers: { cookie: victim.sessionCookie } });
    expect(integrations.text).toContain(needles["A's integration name"]);
    const integration = await send(app.url, "GET", `/partner/integrations/${victim.integration.id}`, { headers: { cookie: victim.sessionCookie } });
    for (const what of ["A's Okta org", "A's directory user (name)", "A's directory user (email)"]) expect(integration.text, what).toContain(needles[what]);
    const jobs = await send(app.url, "GET", `/api/integrations/${victim.integration.id}/sync-jobs`, { headers: { cookie: victim.sessionCookie } });
    expect(jobs.text).toContain(needles["A's sync job id"]);
  });

  it("every page declares a policy, and no page shows a refused caller anything planted for others", async () => {
    const pages = discoverPages();
    expect(pages.length).toBeGreaterThan(15);
    for (const page of pages) {
      const module = (await import(/* @vite-ignore */ path.join(ROOT, page.file))) as { default?: { policy?: unknown } };
      expect(module.default?.policy, `${page.file} declares no policy (export default page(policy, …))`).toBeDefined();
    }
    const before = [await tenantSnapshot(victim.partnerId), await adminWorld()];
    let checked = 0;
    for (const page of pages) {
      const target = fillPattern(page.pattern, paramsFor(page.pattern));
      for (const [caller, headers] of Object.entries(callers)) {
        const response = await send(app.url, "GET", target, { headers });
        expect(leaks(response, target), `GET ${target} as ${caller} (status ${response.status})`).toEqual([]);
        checked++;
      }
    }
    expect([await tenantSnapshot(victim.partnerId), await adminWorld()]).toEqual(before);
    console.log(`[hostile] refusals: ${pages.length} pages × ${Object.keys(callers).length} callers = ${checked} answers without a needle`);
  });

  it("no route handler method answers a refused caller with anything planted for others, nor changes A's data", async () => {
    const policies = await loadRoutePolicies();
    const before = [await tenantSnapshot(victim.partnerId), await adminWorld()];
    let checked = 0;
    for (const { route, method, key } of routeMethods(discoverRoutes())) {
      expect(policies.has(key), `${key} declares a policy`).toBe(true);
      const target = fillPattern(route.pattern, paramsFor(route.pattern));
      const body = method === "GET" || method === "HEAD" || method === "OPTIONS" ? undefined : { user_id: victim.colleague.id, partner_id: victim.partnerId, name: unique("refused"), value: `${unique("refused")}.test`, reason: "refused by the hostile suite", token: victim.apiToken };
      for (const [caller, headers] of Object.entries(callers)) {
        const response = await send(app.url, method, target, { headers: { ...headers, ...(UNSAFE_METHODS.includes(method) ? SAME_ORIGIN : {}) }, body });
        if (route.pattern !== "/unavailable") expect(response.status, `${method} ${target} as ${caller}`).toBeLessThan(500);
        expect(leaks(response, `${target} ${JSON.stringify(body ?? {})}`), `${method} ${target} as ${caller} (status ${response.status})`).toEqual([]);
        checked++;
      }
    }
    expect(await tenantSnapshot(victim.partnerId), "A's data changed").toBe(before[0]);
    expect(await adminWorld(), "admin-managed data changed").toBe(before[1]);
    console.log(`[hostile] refusals: ${policies.size} route methods × ${Object.keys(callers).length} callers = ${checked} answers without a needle`);
  });

  it("no server action answers a refused caller with anything planted for others, nor changes A's data", async () => {
    const actions = discoverServerActions();
    expect(actions.length).toBeGreaterThan(15);
    const before = [await tenantSnapshot(victim.partnerId), await adminWorld()];
    let checked = 0;
    for (const action of actions) {
      for (const [caller, headers] of Object.entries(callers)) {
        const form = new FormData();
        for (const [name, value] of Object.entries(actionFields())) form.append(`_1_${name}`, value);
        form.append("0", JSON.stringify([null, "$K1"]));
        const response = await fetch(`${app.url}${action.page}`, {
          method: "POST",
          // The origin the request is addressed to: what a browser on this instance sends (Next.js checks it too).
          headers: { ...headers, origin: app.url, "next-action": action.id, accept: "text/x-component" },
          body: form,
          redirect: "manual",
        });
        const text = await response.text();
        expect(response.status, `${action.file}#${action.name} as ${caller}: ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(leaks({ text, headers: response.headers }, JSON.stringify(actionFields())), `${action.file}#${action.name} as ${caller} (status ${response.status})`).toEqual([]);
        checked++;
      }
    }
    expect(await tenantSnapshot(victim.partnerId), "A's data changed").toBe(before[0]);
    expect(await adminWorld(), "admin-managed data changed").toBe(before[1]);
    console.log(`[hostile] refusals: ${actions.length} server actions × ${Object.keys(callers).length} callers = ${checked} answers without a needle`);
  });
});
