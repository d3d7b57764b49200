/**
 * A local AWS STS + IAM emulator for development and integration tests: the AWS Query protocol (form-encoded POST
 * `Action=…&Version=…`, XML answers shaped like AWS's, `<ErrorResponse>` errors) for the five actions Gatehouse calls:
 * STS AssumeRole and GetCallerIdentity (https://docs.aws.amazon.com/STS/latest/APIReference/), IAM
 * GetAccountAuthorizationDetails, GenerateCredentialReport and GetCredentialReport
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/). STS answers under `${url}/sts`, IAM under `${url}/iam`.
 *
 * What it enforces like AWS: a Signature Version 4 on every request (recomputed with the secret it issued, scoped to
 * the right service, at most 15 minutes of clock skew), session tokens and expiry of temporary credentials, role
 * trust policies (principal, `sts:ExternalId` under StringEquals), DurationSeconds bounds, Marker paging, throttling.
 * What it does not: a role's permission policies are listed but not evaluated (any session of a role may call the
 * three IAM actions in the role's account).
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** An IAM policy document (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html). */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Record<string, unknown>[];
}
export interface AwsAccessKeyFixture { createdAt: Date; active?: boolean; lastUsedAt?: Date | null }
/** `policies` name managed policies: the account's own first, else AWS-managed ones (AWS_MANAGED_POLICIES). */
interface Principal { name: string; path?: string; createdAt?: Date; policies?: string[]; inlinePolicies?: Record<string, PolicyDocument> }
export interface AwsUserFixture extends Principal {
  groups?: string[];
  /** A console password (the credential report's password_enabled). */
  console?: boolean;
  mfa?: boolean;
  passwordLastUsedAt?: Date | null;
  /** At most two, as in IAM. */
  accessKeys?: AwsAccessKeyFixture[];
}
export type AwsGroupFixture = Principal;
export interface AwsRoleFixture extends Principal { trust: PolicyDocument; maxSessionDuration?: number; lastUsedAt?: Date | null }
export interface AwsPolicyFixture { name: string; path?: string; document: PolicyDocument }
export interface AwsAccountFixture {
  users?: AwsUserFixture[];
  groups?: AwsGroupFixture[];
  roles?: AwsRoleFixture[];
  /** Customer-managed policies. */
  policies?: AwsPolicyFixture[];
  root?: { mfa?: boolean; accessKeys?: AwsAccessKeyFixture[]; createdAt?: Date };
}

const allow = (Action: string | string[], Resource = "*"): PolicyDocument => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });
/** The AWS-managed policies fixtures may attach by name (documents abridged). */
export const AWS_MANAGED_POLICIES: AwsPolicyFixture[] = [
  { name: "AdministratorAccess", document: allow("*") },
  { name: "ReadOnlyAccess", document: allow(["iam:Get*", "iam:List*", "s3:Get*", "s3:List*", "ec2:Describe*"]) },
  { name: "IAMUserChangePassword", document: allow("iam:ChangePassword", "arn:aws:iam::*:user/${aws:username}") },
];

const GATEHOUSE_ACCOUNT = "111111111111";
const DAY_MS = 86_400_000;
const NS = { sts: "https://sts.amazonaws.com/doc/2011-06-15/", iam: "https://iam.amazonaws.com/doc/2010-05-08/" };
const VERSION = { sts: "2011-06-15", iam: "2010-05-08" };
const MAX_SKEW_MS = 15 * 60_000;
const REPORT_HEADER =
  "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
  "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
  "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
  "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

interface Caller { account: string; arn: string; userId: string; /** The ARN trust policies name (the role for a session). */ principalArn: string }
interface Key { secret: string; caller: Caller; sessionToken?: string; expiresAt?: number }
interface Account { fixture: Required<Omit<AwsAccountFixture, "root">> & { root: NonNullable<AwsAccountFixture["root"]> }; report: "none" | "started" | { csv: string; at: Date } }

export interface LocalAws {
  /** e.g. `http://127.0.0.1:54123`; STS is `${url}/sts`, IAM `${url}/iam`. */
  url: string;
  /** Gatehouse's own long-term key; it stands for `principalArn` (a role in account 111111111111). */
  gatehouse: { accessKeyId: string; secretAccessKey: string; principalArn: string };
  /** The variables that point the AWS SDK and Gatehouse's config at this emulator. */
  env: Record<string, string>;
  /** `throttleEvery` N > 0: every Nth request answers 400 Throttling; `pageSize` caps IAM pages; `latencyMs` delays answers. */
  faults: { throttleEvery: number; pageSize?: number; latencyMs?: number };
  counters: { requests: number; throttled: number; actions: Record<string, number> };
  /** Adds or replaces an account (its credential report starts absent). */
  createAccount(accountId: string, fixture: AwsAccountFixture): void;
  /**
   * Adds or replaces a role trusting `principalArn`, with `sts:ExternalId` required (StringEquals; StringLike with
   * `externalIdLike`, where `externalId` is then a pattern) unless `externalId` is null.
   */
  putRole(accountId: string, roleName: string, trust: { principalArn: string; externalId: string | null; externalIdLike?: boolean }): string;
  stop(): Promise<void>;
}

class AwsError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}
const denied = (caller: Caller, action: string, resource: string) => new AwsError(403, "AccessDenied", `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`);
const invalidToken = () => new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
const badSignature = (detail: string) => new AwsError(403, "SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided. ${detail}`);
const invalid = (message: string) => new AwsError(400, "ValidationError", message);

/**
 * Starts the emulator (127.0.0.1 and a free port by default) with Gatehouse's own key registered and no accounts.
 */
export async function startLocalAws(options: { port?: number; host?: string } = {}): Promise<LocalAws> {
  const host = options.host ?? "127.0.0.1";
  const principalArn = `arn:aws:iam::${GATEHOUSE_ACCOUNT}:role/gatehouse-integrations`;
  const gatehouse = { accessKeyId: newKeyId("AKIA"), secretAccessKey: randomBytes(30).toString("base64"), principalArn };
  const keys = new Map<string, Key>([[gatehouse.accessKeyId, { secret: gatehouse.secretAccessKey, caller: { account: GATEHOUSE_ACCOUNT, arn: principalArn, principalArn, userId: stableId("AROA", principalArn) } }]]);
  const accounts = new Map<string, Account>();
  const faults: LocalAws["faults"] = { throttleEvery: 0 };
  const counters: LocalAws["counters"] = { requests: 0, throttled: 0, actions: {} };

  const authenticate = async (req: http.IncomingMessage, body: string, service: "sts" | "iam"): Promise<Caller> => {
    const auth = /^AWS4-HMAC-SHA256 Credential=(\w+)\/(\d{8})\/([\w-]+)\/(\w+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(header(req, "authorization") ?? "");
    if (!auth) throw new AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    const [, keyId, day, region, scopeService, signedList, signature] = auth as unknown as string[];
    const key = keys.get(keyId!);
    if (!key) throw invalidToken();
    if (key.sessionToken !== undefined) {
      if (!sameText(header(req, "x-amz-security-token") ?? "", key.sessionToken)) throw invalidToken();
      if (Date.now() >= key.expiresAt!) throw new AwsError(400, "ExpiredToken", "The security token included in the request is expired");
    }
    const amzDate = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(header(req, "x-amz-date") ?? "");
    if (!amzDate) throw new AwsError(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    const signingDate = new Date(`${amzDate[1]}-${amzDate[2]}-${amzDate[3]}T${amzDate[4]}:${amzDate[5]}:${amzDate[6]}Z`);
    if (Math.abs(Date.now() - signingDate.getTime()) > MAX_SKEW_MS) throw badSignature("Signature expired: the request time is more than 15 minutes from the server time.");
    if (day !== amzDate[0].slice(0, 8)) throw badSignature("Credential should be scoped to a valid date.");
    if (scopeService !== service) throw badSignature(`Credential should be scoped to correct service: '${service}'.`);
    const signed = signedList!.split(";");
    if (!signed.includes("host") || signed.some((name) => header(req, name) === undefined)) throw badSignature("Every signed header, host included, must be present.");
    const contentHash = header(req, "x-amz-content-sha256");
    if (contentHash !== undefined && contentHash !== createHash("sha256").update(body).digest("hex")) throw badSignature("The x-amz-content-sha256 header does not match the body.");
    const url = new URL(req.url ?? "/", "http://localhost");
    const signer = new SignatureV4({ service, region: region!, credentials: { accessKeyId: keyId!, secretAccessKey: key.secret }, sha256: Sha256, applyChecksum: false });
    const expected = await signer.sign(
      { method: req.method ?? "POST", protocol: "http:", hostname: host, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: Object.fromEntries(signed.map((name) => [name, header(req, name)!])), body },
      { signingDate, signableHeaders: new Set(signed) },
    );
    const recomputed = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization));
    if (!recomputed || recomputed[1] !== signedList || !sameText(recomputed[2]!, signature!)) throw badSignature("Check your AWS Secret Access Key and signing method.");
    return key.caller;
  };

  const assumeRole = (caller: Caller, form: URLSearchParams) => {
    const roleArn = form.get("RoleArn") ?? "";
    const session = form.get("RoleSessionName") ?? "";
    const externalId = form.get("ExternalId") ?? undefined;
    if (!/^[\w+=,.@-]{2,64}$/.test(session)) throw invalid("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) throw invalid("1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
    const parsed = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/.exec(roleArn);
    const role = parsed && accounts.get(parsed[1]!)?.fixture.roles.find((r) => r.name === parsed[2] && roleArnOf(parsed[1]!, r) === roleArn);
    if (!role || !trusts(role.trust, caller, externalId)) throw denied(caller, "sts:AssumeRole", roleArn);
    const seconds = Number(form.get("DurationSeconds") ?? 3600);
    if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43_200) throw invalid("1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
    if (seconds > (role.maxSessionDuration ?? 3600)) throw invalid("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const accessKeyId = newKeyId("ASIA");
    const secretAccessKey = randomBytes(30).toString("base64");
    const sessionToken = randomBytes(96).toString("base64");
    const expiresAt = Date.now() + seconds * 1000;
    const roleId = stableId("AROA", roleArn);
    const assumed = { account: parsed![1]!, arn: `arn:aws:sts::${parsed![1]}:assumed-role/${role.name}/${session}`, userId: `${roleId}:${session}`, principalArn: roleArn };
    keys.set(accessKeyId, { secret: secretAccessKey, caller: assumed, sessionToken, expiresAt });
    return {
      Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) },
      AssumedRoleUser: { AssumedRoleId: assumed.userId, Arn: assumed.arn },
    };
  };

  const iamAccount = (caller: Caller, action: string) => {
    const account = accounts.get(caller.account);
    if (!account) throw denied(caller, `iam:${action}`, "*");
    return account;
  };

  const authorizationDetails = (account: Account, accountId: string, form: URLSearchParams) => {
    const filter = [...form.entries()].filter(([name]) => /^Filter\.member\.\d+$/.test(name)).map(([, value]) => value);
    const known = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"];
    if (filter.some((f) => !known.includes(f))) throw invalid(`1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${known.join(", ")}]]`);
    const wants = (type: string) => filter.length === 0 || filter.includes(type);
    const maxItems = Number(form.get("MaxItems") ?? 100);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) throw invalid("1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
    const offset = form.has("Marker") ? Number(Buffer.from(form.get("Marker")!, "base64").toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw invalid("Invalid Marker.");
    const f = account.fixture;
    const policy = (name: string) => managedPolicy(account, accountId, name);
    const attached = (p: Principal) => (p.policies ?? []).map((name) => ({ PolicyName: name, PolicyArn: policy(name).arn }));
    const inline = (p: Principal) => Object.entries(p.inlinePolicies ?? {}).map(([PolicyName, doc]) => ({ PolicyName, PolicyDocument: encodeDocument(doc) }));
    const common = (p: Principal, kind: "user" | "group" | "role", idPrefix: string) => {
      const arn = `arn:aws:iam::${accountId}:${kind}${p.path ?? "/"}${p.name}`;
      return { Path: p.path ?? "/", [`${kind[0]!.toUpperCase()}${kind.slice(1)}Name`]: p.name, [`${kind[0]!.toUpperCase()}${kind.slice(1)}Id`]: stableId(idPrefix, arn), Arn: arn, CreateDate: p.createdAt ?? new Date(0) };
    };
    const attachments = new Map<string, number>();
    for (const p of [...f.users, ...f.groups, ...f.roles]) for (const name of p.policies ?? []) attachments.set(policy(name).arn, (attachments.get(policy(name).arn) ?? 0) + 1);
    const policyDetail = (p: AwsPolicyFixture & { arn: string }) => ({
      PolicyName: p.name, PolicyId: stableId("ANPA", p.arn), Arn: p.arn, Path: p.path ?? "/", DefaultVersionId: "v1", AttachmentCount: attachments.get(p.arn) ?? 0,
      PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: new Date(0), UpdateDate: new Date(0),
      PolicyVersionList: [{ Document: encodeDocument(p.document), VersionId: "v1", IsDefaultVersion: true, CreateDate: new Date(0) }],
    });
    const items: (readonly [list: string, render: () => object])[] = [
      ...(wants("User") ? f.users.map((u) => ["UserDetailList", () => ({ ...common(u, "user", "AIDA"), UserPolicyList: inline(u), GroupList: u.groups ?? [], AttachedManagedPolicies: attached(u), Tags: [] })] as const) : []),
      ...(wants("Group") ? f.groups.map((g) => ["GroupDetailList", () => ({ ...common(g, "group", "AGPA"), GroupPolicyList: inline(g), AttachedManagedPolicies: attached(g) })] as const) : []),
      ...(wants("Role") ? f.roles.map((r) => ["RoleDetailList", () => ({
        ...common(r, "role", "AROA"), AssumeRolePolicyDocument: encodeDocument(r.trust), InstanceProfileList: [], RolePolicyList: inline(r), AttachedManagedPolicies: attached(r), Tags: [],
        RoleLastUsed: r.lastUsedAt ? { LastUsedDate: r.lastUsedAt, Region: "us-east-1" } : {},
      })] as const) : []),
      ...(wants("LocalManagedPolicy") ? f.policies.map((p) => ["Policies", () => policyDetail(policy(p.name))] as const) : []),
      // AWS lists only the AWS-managed policies attached to something in the account.
      ...(wants("AWSManagedPolicy") ? AWS_MANAGED_POLICIES.filter((p) => attachments.has(awsManagedArn(p.name))).map((p) => ["Policies", () => policyDetail({ ...p, arn: awsManagedArn(p.name) })] as const) : []),
    ];
    const size = Math.min(maxItems, faults.pageSize ?? Infinity);
    const page = items.slice(offset, offset + size);
    const lists: Record<string, object[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
    for (const [list, render] of page) lists[list]!.push(render());
    const truncated = offset + size < items.length;
    return { ...lists, IsTruncated: truncated, ...(truncated && { Marker: Buffer.from(String(offset + size)).toString("base64") }) };
  };

  const dispatch = async (service: "sts" | "iam", caller: Caller, action: string, form: URLSearchParams): Promise<object> => {
    if (service === "sts" && action === "AssumeRole") return assumeRole(caller, form);
    if (service === "sts" && action === "GetCallerIdentity") return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
    if (service === "iam" && action === "GetAccountAuthorizationDetails") return authorizationDetails(iamAccount(caller, action), caller.account, form);
    if (service === "iam" && action === "GenerateCredentialReport") {
      const account = iamAccount(caller, action);
      // The first call starts a report; a later call finds it complete (AWS takes seconds).
      if (account.report === "none") {
        account.report = "started";
        return { State: "STARTED", Description: "No report exists. Starting a new report generation task" };
      }
      if (account.report === "started") account.report = { csv: credentialReport(account, caller.account), at: new Date() };
      return { State: "COMPLETE" };
    }
    if (service === "iam" && action === "GetCredentialReport") {
      const { report } = iamAccount(caller, action);
      if (report === "none") throw new AwsError(410, "ReportNotPresent", "Credential report not present. To generate a credential report, use GenerateCredentialReport.");
      if (report === "started") throw new AwsError(404, "ReportInProgress", "Credential report is being generated.");
      return { Content: Buffer.from(report.csv).toString("base64"), ReportFormat: "text/csv", GeneratedTime: report.at };
    }
    throw new AwsError(400, "InvalidAction", `Could not find operation ${action} for version ${VERSION[service]}`);
  };

  const server = http.createServer(async (req, res) => {
    const requestId = randomUUID();
    const service = /^\/(sts|iam)\/?$/.exec(req.url ?? "")?.[1] as "sts" | "iam" | undefined;
    let action = "";
    try {
      const body = await readBody(req);
      counters.requests += 1;
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (!service || req.method !== "POST") throw new AwsError(404, "NotFound", "Not found");
      if (faults.throttleEvery > 0 && counters.requests % faults.throttleEvery === 0) {
        counters.throttled += 1;
        throw new AwsError(400, "Throttling", "Rate exceeded");
      }
      const caller = await authenticate(req, body, service);
      const form = new URLSearchParams(body);
      action = form.get("Action") ?? "";
      if (form.get("Version") !== VERSION[service]) throw new AwsError(400, "InvalidAction", `Could not find operation ${action} for version ${form.get("Version")}`);
      counters.actions[action] = (counters.actions[action] ?? 0) + 1;
      const result = await dispatch(service, caller, action, form);
      send(res, 200, `<${action}Response xmlns="${NS[service]}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
    } catch (error) {
      const e = error instanceof AwsError ? error : new AwsError(500, "InternalFailure", "The request processing has failed because of an unknown error.");
      const type = e.status >= 500 ? "Receiver" : "Sender";
      send(res, e.status, `<ErrorResponse xmlns="${NS[service ?? "sts"]}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const createAccount = (accountId: string, fixture: AwsAccountFixture) => {
    if (!/^\d{12}$/.test(accountId)) throw new Error("an AWS account id is 12 digits");
    if ([...(fixture.users ?? []), fixture.root ?? {}].some((u) => (u.accessKeys?.length ?? 0) > 2)) throw new Error("IAM allows at most two access keys per user");
    accounts.set(accountId, { fixture: { users: [], groups: [], roles: [], policies: [], root: {}, ...fixture }, report: "none" });
  };
  return {
    url,
    gatehouse,
    env: {
      AWS_ACCESS_KEY_ID: gatehouse.accessKeyId,
      AWS_SECRET_ACCESS_KEY: gatehouse.secretAccessKey,
      AWS_STS_ENDPOINT: `${url}/sts`,
      AWS_IAM_ENDPOINT: `${url}/iam`,
      AWS_REGION: "us-east-1",
      AWS_INTEGRATION_PRINCIPAL_ARN: principalArn,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    faults,
    counters,
    createAccount,
    putRole(accountId, roleName, trust) {
      if (!accounts.has(accountId)) createAccount(accountId, {});
      const condition =
        trust.externalId === null ? {} : trust.externalIdLike ? { Condition: { StringLike: { "sts:ExternalId": trust.externalId } } } : { Condition: { StringEquals: { "sts:ExternalId": trust.externalId } } };
      const role: AwsRoleFixture = { name: roleName, trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: trust.principalArn }, Action: "sts:AssumeRole", ...condition }] } };
      const { roles } = accounts.get(accountId)!.fixture;
      roles.splice(0, roles.length, ...roles.filter((r) => r.name !== roleName), role);
      return roleArnOf(accountId, role);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A role's trust policy allows `caller` sts:AssumeRole: Allow statements only; StringEquals and StringLike (`*`, `?`
 * wildcards) on sts:ExternalId are the conditions understood, anything else fails closed.
 */
function trusts(trust: PolicyDocument, caller: Caller, externalId: string | undefined): boolean {
  return trust.Statement.some((s) => {
    const principal = s.Principal as "*" | { AWS?: string | string[] } | undefined;
    const principals = principal === "*" ? ["*"] : list(principal?.AWS);
    const principalOk = principals.some((p) => p === "*" || p === caller.principalArn || p === caller.account || p === `arn:aws:iam::${caller.account}:root`);
    const conditionOk = Object.entries((s.Condition ?? {}) as Record<string, Record<string, string | string[]>>).every(
      ([operator, keys]) =>
        (operator === "StringEquals" || operator === "StringLike") &&
        Object.entries(keys).every(
          ([key, values]) => key.toLowerCase() === "sts:externalid" && externalId !== undefined && list(values).some((value) => (operator === "StringLike" ? globMatches(value, externalId) : value === externalId)),
        ),
    );
    return s.Effect === "Allow" && list(s.Action as string | string[]).some((a) => ["sts:AssumeRole", "sts:*", "*"].includes(a)) && principalOk && conditionOk;
  });
}

/** IAM's StringLike: `*` any run of characters, `?` one character, everything else literal. */
function globMatches(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${regex}$`, "s").test(value);
}

function managedPolicy(account: Account, accountId: string, name: string): AwsPolicyFixture & { arn: string } {
  const own = account.fixture.policies.find((p) => p.name === name);
  if (own) return { ...own, arn: `arn:aws:iam::${accountId}:policy${own.path ?? "/"}${own.name}` };
  const managed = AWS_MANAGED_POLICIES.find((p) => p.name === name);
  if (!managed) throw new Error(`fixture attaches unknown managed policy ${name}`);
  return { ...managed, arn: awsManagedArn(name) };
}

/** The IAM credential report (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html). */
function credentialReport(account: Account, accountId: string): string {
  const time = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "+00:00");
  const keyColumns = (key: AwsAccessKeyFixture | undefined) =>
    key ? [String(key.active !== false), time(key.createdAt), key.lastUsedAt ? time(key.lastUsedAt) : "N/A", key.lastUsedAt ? "us-east-1" : "N/A", key.lastUsedAt ? "iam" : "N/A"] : ["false", "N/A", "N/A", "N/A", "N/A"];
  const { root, users } = account.fixture;
  const rootRow = ["<root_account>", `arn:aws:iam::${accountId}:root`, time(root.createdAt ?? new Date(0)), "not_supported", "no_information", "not_supported", "not_supported", String(root.mfa === true)];
  const rows = [
    [...rootRow, ...keyColumns(root.accessKeys?.[0]), ...keyColumns(root.accessKeys?.[1])],
    ...users.map((u) => [
      u.name, `arn:aws:iam::${accountId}:user${u.path ?? "/"}${u.name}`, time(u.createdAt ?? new Date(0)), String(u.console === true),
      u.console ? (u.passwordLastUsedAt ? time(u.passwordLastUsedAt) : "no_information") : "N/A", u.console ? time(u.createdAt ?? new Date(0)) : "N/A", "N/A", String(u.mfa === true),
      ...keyColumns(u.accessKeys?.[0]), ...keyColumns(u.accessKeys?.[1]),
    ]),
  ].map((row) => [...row, "false", "N/A", "false", "N/A"].map((cell) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(","));
  return `${REPORT_HEADER}\n${rows.join("\n")}`;
}

/**
 * A large account for paging and limit tests: `users` users each in `membershipsPerUser` of `groups` groups, half
 * with console access (every third of those without MFA), one access key each aged 0..399 days.
 */
export function largeAccountFixture(size: { users: number; groups: number; membershipsPerUser: number }): AwsAccountFixture {
  const now = Date.now();
  const groups = Array.from({ length: size.groups }, (_, g) => ({ name: `group-${String(g + 1).padStart(4, "0")}`, policies: [g === 0 ? "AdministratorAccess" : "ReadOnlyAccess"] }));
  const step = Math.max(1, Math.floor(size.groups / size.membershipsPerUser));
  const users = Array.from({ length: size.users }, (_, i): AwsUserFixture => ({
    name: `user-${String(i + 1).padStart(5, "0")}`,
    createdAt: new Date(now - (i % 400) * DAY_MS - DAY_MS),
    groups: Array.from({ length: Math.min(size.membershipsPerUser, size.groups) }, (_, k) => groups[(i + k * step) % size.groups]!.name),
    console: i % 2 === 0,
    mfa: i % 6 !== 0,
    accessKeys: [{ createdAt: new Date(now - (i % 400) * DAY_MS), lastUsedAt: i % 5 === 0 ? null : new Date(now - DAY_MS) }],
  }));
  return { users, groups, root: { mfa: true } };
}

/** A small account with the risks Gatehouse should point out (`npm run dev`). */
export function demoAccountFixture(): AwsAccountFixture {
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
  return {
    policies: [{ name: "EverythingEverywhere", document: allow("*") }, { name: "S3Reader", document: allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::reports/*") }],
    groups: [{ name: "Admins", policies: ["EverythingEverywhere"] }, { name: "Analysts", policies: ["S3Reader", "IAMUserChangePassword"] }],
    users: [
      { name: "alice", createdAt: daysAgo(700), groups: ["Admins"], console: true, mfa: true, passwordLastUsedAt: daysAgo(1) },
      { name: "bob", createdAt: daysAgo(300), groups: ["Analysts"], console: true, mfa: false, passwordLastUsedAt: daysAgo(3) },
      { name: "ci-deploy", path: "/service/", createdAt: daysAgo(400), policies: ["AdministratorAccess"], accessKeys: [{ createdAt: daysAgo(200), lastUsedAt: daysAgo(2) }] },
      { name: "carol", createdAt: daysAgo(30), groups: ["Analysts"], console: true, mfa: true, accessKeys: [{ createdAt: daysAgo(20), lastUsedAt: null }] },
    ],
    roles: [
      { name: "ReadOnlyAuditor", trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "sts:AssumeRole" }] }, policies: ["ReadOnlyAccess"] },
      { name: "open-door", trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }, policies: ["S3Reader"] },
    ],
    root: { mfa: false, accessKeys: [{ createdAt: daysAgo(900), lastUsedAt: daysAgo(10) }], createdAt: daysAgo(1000) },
  };
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const roleArnOf = (accountId: string, role: AwsRoleFixture) => `arn:aws:iam::${accountId}:role${role.path ?? "/"}${role.name}`;
const awsManagedArn = (name: string) => `arn:aws:iam::aws:policy/${name}`;
/** IAM returns policy documents URL-encoded (RFC 3986). */
const encodeDocument = (doc: PolicyDocument) => encodeURIComponent(JSON.stringify(doc));
const newKeyId = (prefix: string) => prefix + [...randomBytes(16)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32]).join("");
const stableId = (prefix: string, arn: string) => prefix + createHash("sha256").update(arn).digest("hex").slice(0, 17).toUpperCase();
const header = (req: http.IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
};
function sameText(a: string, b: string): boolean {
  const [x, y] = [createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest()];
  return timingSafeEqual(x, y);
}
const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Query-protocol XML: arrays become `<member>` lists, Dates ISO 8601 timestamps. */
function toXml(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join("");
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object") return Object.entries(value).map(([name, child]) => `<${name}>${toXml(child)}</${name}>`).join("");
  return escapeXml(String(value));
}

function send(res: http.ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": /<RequestId>([^<]+)/.exec(xml)?.[1] ?? "" }).end(xml);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 1_000_000) req.destroy(new Error("body too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
