/**
 * Integrations end to end over real HTTP (the production server's fast lane) against the local Okta and AWS
 * emulators: create, connect (Okta consent; an AWS role checked three ways), sync through the PostgreSQL job queue,
 * read resources with their risk, export signed evidence; and the queue's guarantees: one active sync per
 * integration, the per-type limit (`partial`), the timeout (`timed_out`, nothing deleted), deletion only after a
 * complete run, and a crashed worker's job taken over.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decodeProtectedHeader } from "jose";
import { db, sql } from "@/lib/db";
import { openCredentials, reencryptIntegrationCredentials, sealCredentials } from "@/lib/integrations/credentials";
import { verifyEvidence } from "@/lib/integrations/evidence";
import { claimSyncJob, drainSyncJobs, queueScheduledSyncs, runSyncJob } from "@/lib/integrations/sync";
import { startLocalAws, demoAccountFixture, type LocalAws } from "@/scripts/lib/local-aws.ts";
import { startLocalDirectories, type LocalDirectories } from "@/scripts/lib/local-directories/index.ts";
import { demoDirectory, largeDirectory } from "@/scripts/lib/local-directories/store.ts";
import { startTestApp, type TestApp } from "./http-app";
import { createApiKey } from "@/lib/api-keys/api-keys";
import { createPartner, createUser, sessionCookieFor, setTestEnv, unique } from "./support";

let app: TestApp;
let directories: LocalDirectories;
let aws: LocalAws;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  app = await startTestApp();
  directories = await startLocalDirectories({ redirectOrigins: [app.url] });
  aws = await startLocalAws();
  restoreEnv = setTestEnv({ ...directories.env, ...aws.env });
});

afterAll(async () => {
  restoreEnv?.();
  await Promise.all([app?.close(), directories?.stop(), aws?.stop()]);
});

afterEach(async () => {
  directories.faults.delayMs = 0;
  // Nothing a test queued may leak into the next one's drain.
  await sql`UPDATE sync_jobs SET status = 'failed', active_for = NULL WHERE active_for IS NOT NULL`;
});

interface Caller {
  headers: Record<string, string>;
}

async function call(caller: Caller, method: string, path: string, body?: unknown) {
  const response = await fetch(`${app.url}${path}`, {
    method,
    redirect: "manual",
    headers: { ...caller.headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // evidence (application/jose) and redirects are not JSON
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function tenant() {
  const partner = await createPartner();
  const owner = await createUser({ partnerId: partner.id, partnerRole: "owner" });
  const member = await createUser({ partnerId: partner.id, partnerRole: "member" });
  const asOwner: Caller = { headers: { cookie: await sessionCookieFor(owner.id), origin: app.url } };
  const asMember: Caller = { headers: { cookie: await sessionCookieFor(member.id), origin: app.url } };
  return { partner, owner, member, asOwner, asMember };
}

/** The browser's part of the provider consent: open the page, press Allow, follow the redirect back to Gatehouse. */
async function consentAtLocalProvider(authorizationUrl: string): Promise<string> {
  const page = await fetch(authorizationUrl);
  const html = await page.text();
  expect(html).toContain("Gatehouse wants read-only access to");
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) form.append(name!, value!.replaceAll("&amp;", "&"));
  form.set("decision", "allow");
  const answer = await fetch(authorizationUrl, { method: "POST", body: form, redirect: "manual" });
  expect(answer.status).toBe(302);
  return answer.headers.get("location")!;
}

async function connectOkta(t: Awaited<ReturnType<typeof tenant>>, org: string) {
  const created = await call(t.asOwner, "POST", "/api/integrations", { provider: "okta", name: `Okta ${org}`, directory: `${directories.url}/okta/${org}` });
  expect(created.status).toBe(201);
  const id = created.json.id as string;
  const started = await call(t.asOwner, "POST", `/api/integrations/${id}/oauth`);
  expect(started.status).toBe(200);
  const callback = new URL(await consentAtLocalProvider(started.json.authorization_url as string));
  const landed = await call(t.asOwner, "GET", `${callback.pathname}${callback.search}`);
  expect(landed.status).toBe(303);
  expect(landed.headers.get("location")).toBe(`/partner/integrations/${id}?connected=1`);
  return id;
}

describe("integrations API", () => {
  it("an owner connects Okta through its consent page; the first sync stores who has access, with risk; members and tokens read", async () => {
    const t = await tenant();
    const org = unique("acme");
    directories.store.put("okta", org, demoDirectory("okta"));
    const id = await connectOkta(t, org);

    const connected = await call(t.asMember, "GET", `/api/integrations/${id}`);
    expect(connected.json).toMatchObject({ status: "connected", provider: "okta", active_job_id: expect.any(String) });
    expect(connected.text).not.toMatch(/access_token|refresh_token|credentials/);
    // The first sync is queued by the connect; a second request while it waits is 409.
    expect((await call(t.asOwner, "POST", `/api/integrations/${id}/sync`)).status).toBe(409);

    expect(await drainSyncJobs()).toBe(1);
    const jobs = await call(t.asMember, "GET", `/api/integrations/${id}/sync-jobs`);
    expect((jobs.json.jobs as { status: string; trigger: string; counts: Record<string, number> }[])[0]).toMatchObject({ status: "succeeded", trigger: "connect" });

    const risky = await call(t.asMember, "GET", `/api/integrations/${id}/resources?type=user&risk=high&q=`);
    expect(risky.status).toBe(200);
    const names = (risky.json.resources as { name: string; risk_reasons: string[] }[]).map((r) => r.name);
    expect(names.length).toBeGreaterThan(0);
    expect((risky.json.resources as { risk_reasons: string[] }[]).every((r) => r.risk_reasons.length > 0)).toBe(true);

    // An API key with integrations:read reads too; one without it is refused with insufficient_scope.
    const reader = await createApiKey(t.partner.id, t.owner.id, { name: "reader", scopes: ["integrations:read"] }, { type: "user", id: t.owner.id });
    const groupsOnly = await createApiKey(t.partner.id, t.owner.id, { name: "groups", scopes: ["groups:read"] }, { type: "user", id: t.owner.id });
    expect((await call({ headers: { "x-api-key": reader.apiKey } }, "GET", `/api/integrations/${id}/resources`)).status).toBe(200);
    const refused = await call({ headers: { "x-api-key": groupsOnly.apiKey } }, "GET", `/api/integrations/${id}/resources`);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain(names[0]!);
    // A reading key cannot start a sync; a member (not owner/admin) cannot either.
    expect((await call({ headers: { "x-api-key": reader.apiKey } }, "POST", `/api/integrations/${id}/sync`)).status).toBe(403);
    expect((await call(t.asMember, "POST", `/api/integrations/${id}/sync`)).status).toBe(403);

    const actions = (await db.auditEvent.findMany({ where: { targetId: id }, select: { action: true } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["integration.created", "integration.connected", "integration.sync_requested", "integration.sync_started", "integration.credential_used", "integration.sync_finished"]));
  });

  it("exports evidence that verifies against the published JWKS, and a tampered bundle does not", async () => {
    const t = await tenant();
    const org = unique("evidence");
    directories.store.put("okta", org, demoDirectory("okta"));
    const id = await connectOkta(t, org);
    expect((await call(t.asOwner, "GET", `/api/integrations/${id}/evidence`)).status).toBe(409); // no finished sync yet
    await drainSyncJobs();

    const exported = await call(t.asMember, "GET", `/api/integrations/${id}/evidence`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toBe("application/jose");
    expect(decodeProtectedHeader(exported.text)).toMatchObject({ alg: "EdDSA", typ: "gatehouse-evidence+jws" });
    const jwks = await (await fetch(`${app.url}/.well-known/jwks.json`)).json();
    const payload = await verifyEvidence(exported.text, jwks);
    expect(payload.integration.id).toBe(id);
    expect(payload.resource_count).toBe(await db.integrationResource.count({ where: { integrationId: id } }));

    const [header, body, signature] = exported.text.split(".");
    const altered = JSON.parse(Buffer.from(body!, "base64url").toString()) as { resources: { name: string }[] };
    altered.resources.pop(); // hide one account from the auditor
    await expect(verifyEvidence(`${header}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${signature}`, jwks)).rejects.toThrow();
  });

  it("connects an AWS role only when it demands the ExternalId, and syncs IAM with risk", async () => {
    const t = await tenant();
    const created = await call(t.asOwner, "POST", "/api/integrations", { provider: "aws", name: "Production account" });
    expect(created.status).toBe(201);
    const { id, external_id: externalId } = created.json as { id: string; external_id: string };
    expect(externalId).toMatch(/^[\w+=,.@:/-]{16,}$/);
    const accountId = String(Math.floor(1e11 + Math.random() * 8e11));
    aws.createAccount(accountId, demoAccountFixture());

    // A role that trusts Gatehouse without the ExternalId condition: the confused deputy, refused.
    const open = aws.putRole(accountId, "OpenRole", { principalArn: aws.gatehouse.principalArn, externalId: null });
    const refused = await call(t.asOwner, "POST", `/api/integrations/${id}/aws-role`, { role_arn: open });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/ExternalId/);
    expect((await call(t.asOwner, "GET", `/api/integrations/${id}`)).json.status).toBe("pending");

    const guarded = aws.putRole(accountId, "GatehouseReadOnly", { principalArn: aws.gatehouse.principalArn, externalId });
    const connected = await call(t.asOwner, "POST", `/api/integrations/${id}/aws-role`, { role_arn: guarded });
    expect(connected.status, connected.text).toBe(200);
    expect(connected.json).toMatchObject({ status: "connected", account_id: accountId, role_arn: guarded });
    const checks = await db.auditEvent.findMany({ where: { targetId: id, action: "integration.aws_check" }, select: { metadata: true } });
    expect(checks.length).toBe(7); // three for the refused role (it stops at the first failure), four for the accepted one

    await drainSyncJobs();
    const critical = await call(t.asOwner, "GET", `/api/integrations/${id}/resources?risk=critical`);
    expect((critical.json.total as number) > 0).toBe(true);
    // No STS credentials were stored: AWS integrations keep no credentials at all.
    expect((await db.integration.findUniqueOrThrow({ where: { id } })).credentials).toBeNull();
  });

  it("stores at most the limit per type and ends partial (5,001 users → 5,000), deleting nothing", async () => {
    const t = await tenant();
    const org = unique("large");
    directories.store.put("okta", org, largeDirectory({ provider: "okta", users: 5001, groups: 10, membershipsPerUser: 1 }));
    const id = await connectOkta(t, org);
    await drainSyncJobs();
    const job = await db.syncJob.findFirstOrThrow({ where: { integrationId: id } });
    expect(job.status).toBe("partial");
    expect(job.truncated).toEqual(["user"]);
    expect(await db.integrationResource.count({ where: { integrationId: id, type: "user" } })).toBe(5000);
    expect((job.counts as Record<string, number>).user).toBe(5000);
  }, 120_000);

  it("a slow provider ends timed_out and nothing stored is deleted; a complete run then deletes what is gone", async () => {
    const t = await tenant();
    const org = unique("slow");
    const directory = demoDirectory("okta");
    directories.store.put("okta", org, directory);
    const id = await connectOkta(t, org);
    await drainSyncJobs();
    const before = await db.integrationResource.count({ where: { integrationId: id } });
    expect(before).toBeGreaterThan(3);

    // The directory loses a user, and the provider becomes slow: the run times out and deletes nothing.
    directories.store.put("okta", org, { ...directory, users: directory.users.slice(1), memberships: directory.memberships.filter((m) => m.userId !== directory.users[0]!.id), assignments: directory.assignments.filter((a) => a.principalId !== directory.users[0]!.id) });
    const restoreTimeout = setTestEnv({ INTEGRATION_SYNC_TIMEOUT_SECONDS: "1" });
    directories.faults.delayMs = 1500;
    try {
      expect((await call(t.asOwner, "POST", `/api/integrations/${id}/sync`)).status).toBe(202);
      await drainSyncJobs();
    } finally {
      directories.faults.delayMs = 0;
      restoreTimeout();
    }
    const timedOut = await db.syncJob.findFirstOrThrow({ where: { integrationId: id }, orderBy: { createdAt: "desc" } });
    expect(timedOut.status).toBe("timed_out");
    expect(await db.integrationResource.count({ where: { integrationId: id } })).toBe(before);

    expect((await call(t.asOwner, "POST", `/api/integrations/${id}/sync`)).status).toBe(202);
    await drainSyncJobs();
    const complete = await db.syncJob.findFirstOrThrow({ where: { integrationId: id }, orderBy: { createdAt: "desc" } });
    const after = await db.integrationResource.count({ where: { integrationId: id } });
    expect(complete.status).toBe("succeeded");
    expect(after).toBeLessThan(before);
    expect(complete.deleted).toBe(before - after);
    expect(await db.integrationResource.count({ where: { integrationId: id, externalId: directory.users[0]!.id } })).toBe(0);
  }, 60_000);

  it("a crashed worker's job is taken over once its lease runs out; a live lease is not", async () => {
    const t = await tenant();
    const org = unique("crash");
    directories.store.put("okta", org, demoDirectory("okta"));
    const id = await connectOkta(t, org);
    const claimed = await claimSyncJob("worker-that-dies");
    expect(claimed?.integration_id).toBe(id);
    expect(await claimSyncJob("worker-two")).toBeNull(); // its lease is live

    await sql`UPDATE sync_jobs SET lease_until = now() - interval '1 second' WHERE id = ${claimed!.id}`;
    const taken = await claimSyncJob("worker-two");
    expect(taken).toMatchObject({ id: claimed!.id, attempts: 2 });
    await runSyncJob(taken!, "worker-two");
    expect((await db.syncJob.findUniqueOrThrow({ where: { id: claimed!.id } })).status).toBe("succeeded");
  });

  it("scheduled syncs are queued when due, and never twice for one integration", async () => {
    const t = await tenant();
    const org = unique("scheduled");
    directories.store.put("okta", org, demoDirectory("okta"));
    const id = await connectOkta(t, org);
    await drainSyncJobs();
    expect((await call(t.asOwner, "PATCH", `/api/integrations/${id}`, { sync_interval_minutes: 60 })).status).toBe(200);
    await db.integration.update({ where: { id }, data: { nextSyncAt: new Date(Date.now() - 1000) } });
    const [first, second] = await Promise.all([queueScheduledSyncs(), queueScheduledSyncs()]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    expect(await db.syncJob.count({ where: { integrationId: id, trigger: "scheduled" } })).toBe(1);
  });

  it("disconnect purges credentials, resources and jobs; the audit trail stays; then the integration is 404", async () => {
    const t = await tenant();
    const org = unique("purge");
    directories.store.put("okta", org, demoDirectory("okta"));
    const id = await connectOkta(t, org);
    await drainSyncJobs();
    expect((await call(t.asMember, "DELETE", `/api/integrations/${id}`)).status).toBe(403);
    const gone = await call(t.asOwner, "DELETE", `/api/integrations/${id}`);
    expect(gone.status).toBe(200);
    expect(gone.json.purged_resources).toBeGreaterThan(0);
    expect(await db.integrationResource.count({ where: { integrationId: id } })).toBe(0);
    expect(await db.syncJob.count({ where: { integrationId: id } })).toBe(0);
    expect((await call(t.asOwner, "GET", `/api/integrations/${id}`)).status).toBe(404);
    expect(await db.auditEvent.count({ where: { targetId: id, action: "integration.disconnected" } })).toBe(1);
  });

  it("a person's key changes integrations only while its owner is an owner or admin of the partner", async () => {
    const t = await tenant();
    const actor = (id: string) => ({ type: "user" as const, id });
    const memberKey = await createApiKey(t.partner.id, t.member.id, { name: "member's", scopes: ["integrations:read", "integrations:write"] }, actor(t.member.id));
    const ownerKey = await createApiKey(t.partner.id, t.owner.id, { name: "owner's", scopes: ["integrations:read", "integrations:write"] }, actor(t.owner.id));
    const asMemberKey = { headers: { "x-api-key": memberKey.apiKey } };
    const asOwnerKey = { headers: { "x-api-key": ownerKey.apiKey } };

    const refused = await call(asMemberKey, "POST", "/api/integrations", { provider: "aws", name: "by a member's key" });
    expect(refused.status).toBe(403);
    expect(await db.integration.count({ where: { partnerId: t.partner.id } })).toBe(0);
    expect((await call(asMemberKey, "GET", "/api/integrations")).status).toBe(200); // reading is every member's

    const created = await call(asOwnerKey, "POST", "/api/integrations", { provider: "aws", name: "by the owner's key" });
    expect(created.status).toBe(201);
    // The owner steps down to member: the same key loses the right on its next request.
    await db.user.update({ where: { id: t.owner.id }, data: { partnerRole: "member" } });
    expect((await call(asOwnerKey, "DELETE", `/api/integrations/${created.json.id as string}`)).status).toBe(403);
    expect(await db.integration.count({ where: { partnerId: t.partner.id } })).toBe(1);
  });

  it("a refused consent comes back with its reason in a one-minute cookie, never in the URL", async () => {
    const t = await tenant();
    const forged = await call(t.asOwner, "GET", "/api/integrations/oauth/callback?code=x&state=made-up-state");
    expect(forged.status).toBe(303);
    const id = /^\/partner\/integrations\?error=([\w-]{12})$/.exec(forged.headers.get("location") ?? "")?.[1];
    expect(id).toBeDefined();
    const cookie = forged.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^gatehouse-notice=[^;]+; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax/);
    // The cookie holds the id the URL names, then the reason (the URL holds no text of it).
    const value = decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!);
    expect(value.startsWith(`${id}.`)).toBe(true);
    expect(value.slice(id!.length + 1)).toMatch(/\S{10,}/);
  });

  it("re-encrypts credentials under a new master key id; the old key can then be removed", async () => {
    const t = await tenant();
    const org = unique("rekey");
    directories.store.put("okta", org, demoDirectory("okta"));
    const id = await connectOkta(t, org);
    const undo: (() => void)[] = [];
    const before = await db.integration.findUniqueOrThrow({ where: { id } });
    const k1 = Buffer.alloc(32, 1).toString("base64");
    const k2 = Buffer.alloc(32, 2).toString("base64");
    try {
      // Under key 1 first (as an operator's existing deployment would be), then key 2 is added.
      undo.push(setTestEnv({ INTEGRATION_MASTER_KEYS: JSON.stringify({ "1": k1 }) }));
      const { sealed, keyId } = sealCredentials({ partnerId: t.partner.id, integrationId: id, provider: "okta" }, { access_token: "rekey-at", expires_at: 9_999_999_999 });
      await db.integration.update({ where: { id }, data: { credentials: sealed, credentialsKeyId: keyId } });
      undo.push(setTestEnv({ INTEGRATION_MASTER_KEYS: JSON.stringify({ "2": k2, "1": k1 }) }));
      const result = await reencryptIntegrationCredentials();
      expect(result.reencrypted).toBeGreaterThanOrEqual(1);
      // Rows of earlier tests were sealed under a key this configuration lacks: reported, left as they were.
      expect(result.remaining).toBe(result.unreadable);
      const after = await db.integration.findUniqueOrThrow({ where: { id } });
      expect(after.credentialsKeyId).toBe("2");
      expect(after.credentials).not.toBe(sealed);
      undo.push(setTestEnv({ INTEGRATION_MASTER_KEYS: JSON.stringify({ "2": k2 }) }));
      expect(openCredentials<{ access_token: string }>({ partnerId: t.partner.id, integrationId: id, provider: "okta" }, after.credentials!).reveal().access_token).toBe("rekey-at");
    } finally {
      await db.integration.update({ where: { id }, data: { credentials: before.credentials, credentialsKeyId: before.credentialsKeyId } });
      for (const restore of undo.reverse()) restore();
    }
  });

  it("refuses bad input with a clear 400 and writes nothing", async () => {
    const t = await tenant();
    const before = await db.integration.count({ where: { partnerId: t.partner.id } });
    for (const body of [
      { provider: "okta", name: "x", directory: "not a url" },
      { provider: "okta", name: "x", directory: "ftp://example.okta.com" },
      { provider: "entra", name: "x", directory: "not-a-guid" },
      { provider: "google", name: "x", directory: "https://example.com" },
      { provider: "salesforce", name: "x" },
      { provider: "aws", name: "" },
    ]) {
      const answer = await call(t.asOwner, "POST", "/api/integrations", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect(await db.integration.count({ where: { partnerId: t.partner.id } })).toBe(before);
  });
});
