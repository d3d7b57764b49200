/**
 * The AWS integration against the local STS + IAM emulator (scripts/lib/local-aws.ts), through the real AWS SDK
 * clients over real HTTP: SigV4, role verification (the three checks, the confused deputy), and the connector's
 * paging, throttling, limits, risks and aborts.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setTestEnv } from "./support";
import { awsCloudFormationTemplate, awsConnector, awsTrustPolicy, generateExternalId, parseRoleArn, verifyAwsRole } from "@/lib/integrations/aws";
import { IntegrationError, type FoundResource, type ResourceType, type SyncContext } from "@/lib/integrations/types";
import { demoAccountFixture, largeAccountFixture, startLocalAws, type LocalAws } from "@/scripts/lib/local-aws";

let aws: LocalAws;
let restoreEnv: (() => void) | undefined;
let nextAccount = 200_000_000_000;
const newAccountId = () => String(nextAccount++);

beforeAll(async () => {
  aws = await startLocalAws();
  restoreEnv = setTestEnv(aws.env);
});

afterAll(async () => {
  restoreEnv?.();
  await aws.stop();
});

beforeEach(() => {
  aws.faults.throttleEvery = 0;
  delete aws.faults.pageSize;
  delete aws.faults.latencyMs;
});

type AuditEntry = { action: string; metadata: Record<string, string | number | boolean> };
const recorder = () => {
  const audits: AuditEntry[] = [];
  return { audits, audit: async (action: string, metadata: Record<string, string | number | boolean>) => void audits.push({ action, metadata }) };
};

/** A SyncContext as lib/integrations/types.ts documents it: add() refuses once a type holds `limit` and marks it cut. */
function syncContext(integration: { roleArn: string; externalId: string; accountId: string }, options: { limit?: number; signal?: AbortSignal } = {}) {
  const kept: FoundResource[] = [];
  const truncated = new Set<ResourceType>();
  const offered: Record<string, number> = {};
  const progress: [ResourceType, number][] = [];
  const { audits, audit } = recorder();
  const limit = options.limit ?? 5000;
  const ctx: SyncContext = {
    integration: { id: "int_test", partnerId: "partner_test", provider: "aws", name: "AWS", status: "connected", directory: null, grantedScopes: [], credentials: null, credentialsKeyId: null, ...integration },
    signal: options.signal ?? new AbortController().signal,
    limit,
    add(resource) {
      offered[resource.type] = (offered[resource.type] ?? 0) + 1;
      if (kept.filter((r) => r.type === resource.type).length >= limit) {
        truncated.add(resource.type);
        return false;
      }
      kept.push(resource);
      return true;
    },
    progress: (type, read) => void progress.push([type, read]),
    audit: (action, metadata = {}) => audit(action, metadata),
  };
  const byName = (type: ResourceType, name: string) => kept.find((r) => r.type === type && r.name === name);
  return { ctx, kept, truncated, offered, progress, audits, byName };
}

/** An account with `fixture` and a role trusting Gatehouse under a fresh ExternalId. */
function connectedAccount(fixture: Parameters<LocalAws["createAccount"]>[1]) {
  const accountId = newAccountId();
  const externalId = generateExternalId();
  aws.createAccount(accountId, fixture);
  const roleArn = aws.putRole(accountId, "gatehouse-readonly", { principalArn: aws.gatehouse.principalArn, externalId });
  return { accountId, externalId, roleArn };
}

describe("the local AWS emulator", () => {
  const sts = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, extra: { systemClockOffset?: number } = {}) =>
    new STSClient({ region: "us-east-1", endpoint: aws.env.AWS_STS_ENDPOINT, credentials, maxAttempts: 1, ...extra });

  it("answers GetCallerIdentity for a correctly signed request with Gatehouse's principal", async () => {
    const identity = await sts(aws.gatehouse).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: "111111111111", Arn: aws.gatehouse.principalArn });
  });

  it("refuses a wrong secret (SignatureDoesNotMatch), an unknown key (InvalidClientTokenId) and a skewed clock", async () => {
    await expect(sts({ accessKeyId: aws.gatehouse.accessKeyId, secretAccessKey: "not-the-secret" }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    await expect(sts({ accessKeyId: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: aws.gatehouse.secretAccessKey }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId" });
    await expect(sts(aws.gatehouse, { systemClockOffset: -20 * 60_000 }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch", message: expect.stringMatching(/expired/) });
  });

  it("requires the session token of temporary credentials", async () => {
    const { externalId, roleArn } = connectedAccount({});
    const { Credentials: c } = await sts(aws.gatehouse).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "probe", ExternalId: externalId, DurationSeconds: 900 }));
    expect(c!.Expiration!.getTime() - Date.now()).toBeGreaterThan(880_000);
    expect(c!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    const session = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey! };
    await expect(sts({ ...session, sessionToken: c!.SessionToken! }).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: expect.stringMatching(/:assumed-role\/gatehouse-readonly\/probe$/) });
    await expect(sts(session).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId" });
    await expect(sts({ ...session, sessionToken: "forged" }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId" });
  });
});

describe("the role a partner creates", () => {
  it("is described by a trust policy and a CloudFormation template naming Gatehouse and the ExternalId", () => {
    const externalId = generateExternalId();
    expect(externalId).toMatch(/^gatehouse-[0-9a-f]{32}$/);
    expect(generateExternalId()).not.toBe(externalId);
    expect(awsTrustPolicy(externalId)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: aws.gatehouse.principalArn }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": externalId } } }],
    });
    const template = awsCloudFormationTemplate(externalId);
    expect(template).toContain(`sts:ExternalId: "${externalId}"`);
    expect(template).toContain(`AWS: "${aws.gatehouse.principalArn}"`);
    expect(template).toMatch(/- iam:GetAccountAuthorizationDetails\n\s+- iam:GenerateCredentialReport\n\s+- iam:GetCredentialReport\n\s+Resource: "\*"/);
    expect(template).toContain("Value: !GetAtt GatehouseReadOnlyRole.Arn");
  });

  it("parses role ARNs, paths included, and nothing else", () => {
    expect(parseRoleArn("arn:aws:iam::123456789012:role/gatehouse")).toMatchObject({ accountId: "123456789012", roleName: "gatehouse" });
    expect(parseRoleArn("arn:aws:iam::123456789012:role/team/ops/gatehouse")).toMatchObject({ accountId: "123456789012", roleName: "gatehouse" });
    expect(parseRoleArn("arn:aws:iam::123456789012:user/gatehouse")).toBeNull();
    expect(parseRoleArn("arn:aws:iam::12345:role/gatehouse")).toBeNull();
  });
});

describe("verifyAwsRole", () => {
  it("accepts a role trusting Gatehouse under the ExternalId and audits the three checks", async () => {
    const { accountId, externalId, roleArn } = connectedAccount({});
    const { audits, audit } = recorder();
    await expect(verifyAwsRole({ integrationId: "int_ok", externalId, roleArn }, audit)).resolves.toEqual({ accountId });
    expect(audits).toEqual([
      { action: "aws_check", metadata: { check: "assume_role_with_external_id", ok: true } },
      { action: "aws_check", metadata: { check: "caller_identity", ok: true, account: accountId } },
      { action: "aws_check", metadata: { check: "assume_role_without_external_id", ok: true } },
      { action: "aws_check", metadata: { check: "assume_role_with_another_external_id", ok: true } },
    ]);
  });

  it("refuses a role Gatehouse can assume WITHOUT the ExternalId (confused deputy) at check 3", async () => {
    const accountId = newAccountId();
    const externalId = generateExternalId();
    const roleArn = aws.putRole(accountId, "too-trusting", { principalArn: aws.gatehouse.principalArn, externalId: null });
    const { audits, audit } = recorder();
    const refusal = await verifyAwsRole({ integrationId: "int_deputy", externalId, roleArn }, audit).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(IntegrationError);
    expect(refusal).toMatchObject({ code: "access_denied", message: expect.stringContaining("does not require exactly this integration's ExternalId") });
    expect((refusal as Error).message).toContain(externalId);
    expect(audits.map((a) => a.metadata)).toEqual([
      { check: "assume_role_with_external_id", ok: true },
      { check: "caller_identity", ok: true, account: accountId },
      { check: "assume_role_without_external_id", ok: false, error: "assumable_without_external_id" },
    ]);
  });

  it("refuses a role whose ExternalId condition is a wildcard (another integration's ExternalId would pass) at check 4", async () => {
    const accountId = newAccountId();
    const externalId = generateExternalId();
    const roleArn = aws.putRole(accountId, "wildcard", { principalArn: aws.gatehouse.principalArn, externalId: "gatehouse-*", externalIdLike: true });
    const { audits, audit } = recorder();
    await expect(verifyAwsRole({ integrationId: "int_wildcard", externalId, roleArn }, audit)).rejects.toMatchObject({ code: "access_denied", message: expect.stringContaining("does not require exactly") });
    expect(audits.map((a) => a.metadata)).toEqual([
      { check: "assume_role_with_external_id", ok: true },
      { check: "caller_identity", ok: true, account: accountId },
      { check: "assume_role_without_external_id", ok: true },
      { check: "assume_role_with_another_external_id", ok: false, error: "assumable_with_another_external_id" },
    ]);
  });

  it("refuses at check 1 a role whose trust names another ExternalId, or another principal", async () => {
    const accountId = newAccountId();
    const externalId = generateExternalId();
    const wrongId = aws.putRole(accountId, "wrong-id", { principalArn: aws.gatehouse.principalArn, externalId: generateExternalId() });
    const otherPrincipal = aws.putRole(accountId, "other-vendor", { principalArn: "arn:aws:iam::999999999999:role/someone-else", externalId });
    for (const roleArn of [wrongId, otherPrincipal, `arn:aws:iam::${accountId}:role/does-not-exist`]) {
      const { audits, audit } = recorder();
      await expect(verifyAwsRole({ integrationId: "int_wrong", externalId, roleArn }, audit)).rejects.toMatchObject({
        code: "access_denied",
        message: expect.stringContaining(`StringEquals sts:ExternalId = ${externalId}`),
      });
      expect(audits.map((a) => a.metadata)).toEqual([{ check: "assume_role_with_external_id", ok: false, error: "AccessDenied" }]);
    }
  });

  it("refuses something that is not a role ARN before calling AWS", async () => {
    const before = aws.counters.requests;
    const { audit } = recorder();
    await expect(verifyAwsRole({ integrationId: "int_x", externalId: generateExternalId(), roleArn: "arn:aws:iam::123456789012:user/bob" }, audit)).rejects.toMatchObject({ code: "access_denied" });
    expect(aws.counters.requests).toBe(before);
  });
});

describe("awsConnector", () => {
  it("pages through IAM despite throttling and reports every resource with its risk", async () => {
    const fixture = demoAccountFixture();
    fixture.users!.push({ name: "ops,oncall", console: true, mfa: false, createdAt: new Date(Date.now() - 86_400_000) });
    const account = connectedAccount(fixture);
    aws.faults.pageSize = 2;
    aws.faults.throttleEvery = 4;
    const before = { ...aws.counters, actions: { ...aws.counters.actions } };
    const run = syncContext(account);

    await awsConnector.sync(run.ctx);

    expect(aws.counters.throttled - before.throttled).toBeGreaterThan(0);
    // 5 policies, 2 groups, 3 roles, 5 users in pages of 2: 3 + 1 + 2 + 3 pages.
    expect(aws.counters.actions.GetAccountAuthorizationDetails! - (before.actions.GetAccountAuthorizationDetails ?? 0)).toBe(9);
    expect(run.audits).toEqual([{ action: "credential_used", metadata: { via: "sts:AssumeRole" } }]);
    expect(run.truncated.size).toBe(0);
    expect(run.progress).toContainEqual(["policy", 5]);
    expect(run.progress.filter(([type]) => type === "user").map(([, n]) => n)).toEqual([3, 5, 6]);

    const risk = (type: ResourceType, name: string) => run.byName(type, name)?.risk;
    const acct = account.accountId;
    expect(run.kept.filter((r) => r.type === "policy").map((r) => [r.name, r.risk.level]).sort()).toEqual([
      ["AdministratorAccess", "critical"],
      ["EverythingEverywhere", "critical"],
      ["IAMUserChangePassword", "low"],
      ["ReadOnlyAccess", "low"],
      ["S3Reader", "low"],
    ]);
    expect(run.byName("policy", "AdministratorAccess")).toMatchObject({ externalId: "arn:aws:iam::aws:policy/AdministratorAccess", attributes: { managedBy: "aws", attachmentCount: 1 } });
    expect(risk("group", "Admins")?.level).toBe("high");
    expect(risk("group", "Analysts")).toEqual({ level: "low", reasons: [] });
    expect(risk("role", "open-door")).toEqual({ level: "critical", reasons: ["Any AWS principal may assume this role"] });
    expect(risk("role", "ReadOnlyAuditor")?.level).toBe("low");
    expect(run.byName("role", "gatehouse-readonly")?.attributes.trustedPrincipals).toEqual([aws.gatehouse.principalArn]);

    expect(run.byName("user", "Root account")).toMatchObject({
      externalId: `arn:aws:iam::${acct}:root`,
      attributes: { root: true, mfa: false },
      risk: { level: "critical", reasons: ["Root account has active access keys", "Root account without MFA", "Access key older than 90 days"] },
    });
    expect(run.byName("user", "alice")).toMatchObject({
      externalId: `arn:aws:iam::${acct}:user/alice`,
      attributes: { groups: [`arn:aws:iam::${acct}:group/Admins`], mfa: true, console: true, admin: true },
      risk: { level: "high", reasons: ["Has administrator access"] },
    });
    expect(risk("user", "bob")).toEqual({ level: "high", reasons: ["Console access without MFA"] });
    expect(risk("user", "ops,oncall")).toEqual({ level: "high", reasons: ["Console access without MFA"] });
    const ci = run.byName("user", "ci-deploy")!;
    expect(ci.externalId).toBe(`arn:aws:iam::${acct}:user/service/ci-deploy`);
    expect(ci.risk).toEqual({ level: "high", reasons: ["Has administrator access", "Access key older than 90 days"] });
    expect(ci.attributes).toMatchObject({ console: false, policies: ["arn:aws:iam::aws:policy/AdministratorAccess"], accessKeys: [{ slot: 1, active: true, ageDays: 200 }] });
    expect(risk("user", "carol")).toEqual({ level: "low", reasons: [] });
    expect(JSON.stringify(run.kept)).not.toMatch(/ASIA|AKIA/);
  });

  it("keeps `limit` users, marks the type cut and stops paging it", async () => {
    const account = connectedAccount(largeAccountFixture({ users: 40, groups: 2, membershipsPerUser: 1 }));
    aws.faults.pageSize = 2;
    const before = aws.counters.actions.GetAccountAuthorizationDetails ?? 0;
    const run = syncContext(account, { limit: 5 });

    await awsConnector.sync(run.ctx);

    expect(run.kept.filter((r) => r.type === "user")).toHaveLength(5);
    expect(run.offered.user).toBe(6); // the root account, then users until one more than the limit
    expect([...run.truncated]).toEqual(["user"]);
    expect(run.kept.filter((r) => r.type === "group")).toHaveLength(2);
    // policies 1 page, groups 1, roles 1, users 3 (2 + 2 + the one past the limit), not the 20 all 40 would take.
    expect(aws.counters.actions.GetAccountAuthorizationDetails! - before).toBe(6);
  });

  it("stops promptly when its signal aborts mid-request", async () => {
    const account = connectedAccount(largeAccountFixture({ users: 30, groups: 3, membershipsPerUser: 2 }));
    aws.faults.latencyMs = 3000;
    const controller = new AbortController();
    const run = syncContext(account, { signal: controller.signal });
    const reason = new Error("sync timed out");
    const sync = awsConnector.sync(run.ctx);
    await new Promise((resolve) => setTimeout(resolve, 3500)); // inside the second request (each answer takes 3 s)
    const abortedAt = Date.now();
    controller.abort(reason);
    await expect(sync).rejects.toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(1500); // well before the answer in flight would come
    const keptAtAbort = run.kept.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(run.kept.length).toBe(keptAtAbort);
  });

  it("refuses to sync when the role no longer trusts Gatehouse", async () => {
    const account = connectedAccount({});
    aws.putRole(account.accountId, "gatehouse-readonly", { principalArn: aws.gatehouse.principalArn, externalId: generateExternalId() });
    const run = syncContext(account);
    await expect(awsConnector.sync(run.ctx)).rejects.toMatchObject({ name: "IntegrationError", code: "access_denied" });
    expect(run.audits).toEqual([]);
  });
});
