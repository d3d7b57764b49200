/**
 * The AWS integration (docs/ARCHITECTURE.md "Integrations"): a partner creates an IAM role in their account that
 * trusts Gatehouse's principal (AWS_INTEGRATION_PRINCIPAL_ARN) under an ExternalId Gatehouse generated; Gatehouse
 * assumes it with STS for 15 minutes and reads IAM.
 *
 * The ExternalId is what stops the confused deputy (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html):
 * without it, anyone who learns a role ARN trusting Gatehouse could connect that account to their own partner. So a
 * role is accepted only if AssumeRole WITHOUT the ExternalId is refused. STS credentials live only in memory (in a
 * SealedCredentials) for the one verification or sync that asked for them; nothing is stored.
 * Gatehouse's own AWS credentials come from the SDK's default provider chain (environment, profile, container, IMDS).
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  IAMClient,
  type EntityType,
  type GetAccountAuthorizationDetailsCommandOutput,
  type GroupDetail,
  type ManagedPolicyDetail,
  type RoleDetail,
  type UserDetail,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { getConfig } from "@/lib/config";
import { SealedCredentials } from "@/lib/integrations/credentials";
import { assessRisk } from "@/lib/integrations/risk";
import { IntegrationError, type Connector, type FoundResource, type ResourceType, type SyncContext } from "@/lib/integrations/types";

/** STS session length in seconds: the shortest AWS allows (AssumeRole DurationSeconds minimum). */
const SESSION_SECONDS = 900;
const ACCESS_KEY_MAX_AGE_DAYS = 90;
/** How long a sync waits for AWS to build the credential report (ms), and the first poll interval (ms). */
const REPORT_WAIT_MS = 60_000;
const REPORT_FIRST_POLL_MS = 200;
const DAY_MS = 86_400_000;
const ADMIN_REASON = "Allows every action on every resource (administrator access)";

type AwsCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration?: Date };
type AuditCheck = (action: string, metadata: Record<string, string | number | boolean>) => Promise<void>;

/**
 * A new ExternalId for one integration: `gatehouse-` and 128 random bits in hex (42 characters, within STS's
 * 2–1224 characters of `[\w+=,.@:/-]`). Not a secret (the partner pastes it into their trust policy), but unguessable
 * and never reused, so it names exactly one Gatehouse integration.
 */
export function generateExternalId(): string {
  return `gatehouse-${randomBytes(16).toString("hex")}`;
}

/**
 * The IAM trust policy a partner's role needs: Gatehouse's principal may call sts:AssumeRole only with this
 * ExternalId (StringEquals sts:ExternalId).
 * @throws IntegrationError when AWS_INTEGRATION_PRINCIPAL_ARN is unset (AWS integrations are off)
 */
export function awsTrustPolicy(externalId: string): object {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: principalArn() }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": externalId } } }],
  };
}

/**
 * A CloudFormation template (YAML) creating the role: the trust policy of awsTrustPolicy and one inline policy
 * allowing only iam:GetAccountAuthorizationDetails, iam:GenerateCredentialReport and iam:GetCredentialReport (none
 * supports resource-level permissions, hence Resource "*"). Outputs `RoleArn`.
 * @throws IntegrationError when AWS integrations are off
 */
export function awsCloudFormationTemplate(externalId: string): string {
  // JSON strings are valid YAML double-quoted scalars.
  const q = (value: string) => JSON.stringify(value);
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: Read-only access for Gatehouse to IAM users, groups, roles, policies and the credential report.
Resources:
  GatehouseReadOnlyRole:
    Type: AWS::IAM::Role
    Properties:
      Description: Assumed by Gatehouse (with the ExternalId below) to read IAM.
      MaxSessionDuration: 3600
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: ${q(principalArn())}
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: ${q(externalId)}
      Policies:
        - PolicyName: gatehouse-iam-read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - iam:GetAccountAuthorizationDetails
                  - iam:GenerateCredentialReport
                  - iam:GetCredentialReport
                Resource: "*"
Outputs:
  RoleArn:
    Description: Paste this role ARN into Gatehouse.
    Value: !GetAtt GatehouseReadOnlyRole.Arn
`;
}

/**
 * Parses an IAM role ARN (`arn:<partition>:iam::<12-digit account>:role/<optional path/><name>`).
 * @returns the account id and the role's name without its path (as in assumed-role ARNs), or null
 */
export function parseRoleArn(value: string): { accountId: string; roleName: string; partition: string } | null {
  const match = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\x21-\x7e]{1,510}\/)?([\w+=,.@-]{1,64})$/.exec(value);
  return match ? { partition: match[1]!, accountId: match[2]!, roleName: match[3]! } : null;
}

/**
 * Verifies a partner's role before Gatehouse accepts it, with four checks, each audited as `aws_check` with
 * `{ check, ok, error? }`:
 * 1. `assume_role_with_external_id`: STS AssumeRole with the integration's ExternalId succeeds;
 * 2. `caller_identity`: STS GetCallerIdentity with those credentials answers the role's account and an assumed-role
 *    ARN of that role;
 * 3. `assume_role_without_external_id`: AssumeRole without the ExternalId is refused (AccessDenied). If it works,
 *    the trust policy does not protect against the confused deputy and the role is refused;
 * 4. `assume_role_with_another_external_id`: AssumeRole with a fresh random ExternalId is refused too (a wildcard
 *    condition would let another integration's ExternalId through).
 * Sessions last 900 s and their credentials are dropped when this returns.
 * @returns the role's AWS account id
 * @throws IntegrationError `access_denied` with a message the partner can act on; `throttled` or `provider_error`
 *   when AWS could not answer; an abort of `signal` rejects with its reason
 */
export async function verifyAwsRole(input: { integrationId: string; externalId: string; roleArn: string }, audit: AuditCheck, signal?: AbortSignal): Promise<{ accountId: string }> {
  const role = parseRoleArn(input.roleArn);
  if (!role) throw new IntegrationError("That is not an IAM role ARN: it should look like arn:aws:iam::123456789012:role/gatehouse-readonly.", "access_denied");
  const trusted = principalArn();
  const session = sessionName("verify", input.integrationId);

  let credentials: SealedCredentials<AwsCredentials>;
  try {
    credentials = await assumeRole(input.roleArn, input.externalId, session, signal);
  } catch (error) {
    await audit("aws_check", { check: "assume_role_with_external_id", ok: false, error: errorCode(error) });
    signal?.throwIfAborted();
    if (errorCode(error) === "AccessDenied") {
      throw new IntegrationError(
        `Gatehouse could not assume ${input.roleArn}. Check that the role exists and that its trust policy allows ${trusted} to call sts:AssumeRole with the condition StringEquals sts:ExternalId = ${input.externalId}.`,
        "access_denied",
      );
    }
    throw toIntegrationError(error, "assuming the role");
  }
  await audit("aws_check", { check: "assume_role_with_external_id", ok: true });

  let identity: { Account?: string; Arn?: string };
  try {
    identity = await stsClient(credentials).send(new GetCallerIdentityCommand({}), { abortSignal: signal });
  } catch (error) {
    await audit("aws_check", { check: "caller_identity", ok: false, error: errorCode(error) });
    signal?.throwIfAborted();
    throw toIntegrationError(error, "checking the role's identity");
  }
  const sameRole = identity.Account === role.accountId && identity.Arn === `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.roleName}/${session}`;
  await audit("aws_check", { check: "caller_identity", ok: sameRole, account: identity.Account ?? "" });
  if (!sameRole) throw new IntegrationError(`AWS issued credentials for another account or role than ${input.roleArn}; check the role ARN.`, "access_denied");

  // 3 and 4: the role must refuse Gatehouse without this integration's ExternalId, and with any other one (a
  // wildcard condition such as StringLike "gatehouse-*" would let another partner's integration read this account).
  for (const [check, externalId] of [
    ["assume_role_without_external_id", undefined],
    ["assume_role_with_another_external_id", generateExternalId()],
  ] as const) {
    let assumable = false;
    try {
      await assumeRole(input.roleArn, externalId, session, signal);
      assumable = true;
    } catch (error) {
      signal?.throwIfAborted();
      if (errorCode(error) !== "AccessDenied") {
        await audit("aws_check", { check, ok: false, error: errorCode(error) });
        throw toIntegrationError(error, "checking the role's trust policy");
      }
    }
    await audit("aws_check", { check, ok: !assumable, ...(assumable && { error: externalId ? "assumable_with_another_external_id" : "assumable_without_external_id" }) });
    if (assumable) {
      throw new IntegrationError(
        `The role's trust policy does not require exactly this integration's ExternalId, so anyone who knows the role ARN could have Gatehouse read your account. Trust ${trusted} only under the condition StringEquals sts:ExternalId = ${input.externalId}, then verify again.`,
        "access_denied",
      );
    }
  }
  return { accountId: role.accountId };
}

/**
 * Reads an AWS account: assumes the integration's role (with its ExternalId, 900 s), then IAM
 * GetAccountAuthorizationDetails per entity type (policies, groups, roles, users; Marker/IsTruncated paging, stopping
 * a type at `ctx.limit + 1`) and the credential report (root account, passwords, MFA, access keys).
 * @throws IntegrationError (access_denied, throttled, provider_error); an abort of ctx.signal rejects with its reason
 */
export const awsConnector: Connector = {
  async sync(ctx) {
    const { roleArn, externalId, id } = ctx.integration;
    const role = roleArn ? parseRoleArn(roleArn) : null;
    if (!role || !externalId) throw new IntegrationError("This AWS integration has no verified role; connect the account again.", "access_denied");
    const credentials = await call(ctx.signal, "assuming the role", () => assumeRole(roleArn!, externalId, sessionName("sync", id), ctx.signal));
    await ctx.audit("credential_used", { via: "sts:AssumeRole" });
    const iam = iamClient(credentials);

    const report = await readCredentialReport(iam, ctx.signal);
    const adminPolicies = new Set<string>();
    await readDetails(iam, ctx, "policy", ["LocalManagedPolicy", "AWSManagedPolicy"], (page) => page.Policies, 0, (p) => policyResource(p, adminPolicies));
    const groups = new Map<string, { arn: string; admin: boolean }>();
    await readDetails(iam, ctx, "group", ["Group"], (page) => page.GroupDetailList, 0, (g) => groupResource(g, adminPolicies, groups));
    await readDetails(iam, ctx, "role", ["Role"], (page) => page.RoleDetailList, 0, (r) => roleResource(r, adminPolicies));

    const rootRow = report.find((row) => row.user === "<root_account>");
    const rootAdded = rootRow ? ctx.add(rootResource(rootRow)) : false;
    if (rootRow && !rootAdded) return;
    const reportByArn = new Map(report.map((row) => [row.arn, row]));
    await readDetails(iam, ctx, "user", ["User"], (page) => page.UserDetailList, rootAdded ? 1 : 0, (u) => userResource(u, role.accountId, adminPolicies, groups, reportByArn));
  },
};

function principalArn(): string {
  const arn = getConfig().integrations.awsPrincipalArn;
  if (!arn) throw new IntegrationError("AWS integrations are not enabled on this Gatehouse.", "provider_error");
  return arn;
}

/** An STS RoleSessionName (`[\w+=,.@-]{2,64}`), visible in the partner's CloudTrail. */
function sessionName(purpose: "verify" | "sync", integrationId: string): string {
  return `gatehouse-${purpose}-${integrationId.replace(/[^\w+=,.@-]/g, "")}`.slice(0, 64);
}

function stsClient(credentials?: SealedCredentials<AwsCredentials>): STSClient {
  const { awsRegion, awsStsEndpoint } = getConfig().integrations;
  return new STSClient({ region: awsRegion, ...(awsStsEndpoint && { endpoint: awsStsEndpoint }), ...(credentials && { credentials: async () => credentials.reveal() }) });
}

function iamClient(credentials: SealedCredentials<AwsCredentials>): IAMClient {
  const { awsRegion, awsIamEndpoint } = getConfig().integrations;
  return new IAMClient({ region: awsRegion, ...(awsIamEndpoint && { endpoint: awsIamEndpoint }), credentials: async () => credentials.reveal() });
}

/** STS AssumeRole with Gatehouse's own credentials; the SDK error passes through (callers map it). */
async function assumeRole(roleArn: string, externalId: string | undefined, session: string, signal?: AbortSignal): Promise<SealedCredentials<AwsCredentials>> {
  principalArn();
  const { Credentials: c } = await stsClient().send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session, DurationSeconds: SESSION_SECONDS, ...(externalId !== undefined && { ExternalId: externalId }) }),
    { abortSignal: signal },
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new IntegrationError("AWS answered AssumeRole without credentials.");
  return new SealedCredentials<AwsCredentials>({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration });
}

/** Runs one AWS call: an abort rejects with the signal's reason; any other failure becomes an IntegrationError. */
async function call<T>(signal: AbortSignal | undefined, what: string, run: () => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  try {
    return await run();
  } catch (error) {
    signal?.throwIfAborted();
    throw toIntegrationError(error, what);
  }
}

/** The AWS error code (`AccessDenied`, `Throttling`…) or a fixed word; SDK error names are the service's codes. */
function errorCode(error: unknown): string {
  if (error instanceof Error && /^[A-Za-z][\w.]{0,63}$/.test(error.name) && error.name !== "Error") return error.name;
  return "network_error";
}

/** Maps an AWS failure to a message safe to show the partner: the code at most, never the SDK's text. */
function toIntegrationError(error: unknown, what: string): IntegrationError {
  if (error instanceof IntegrationError) return error;
  const code = errorCode(error);
  if (code === "AccessDenied" || code === "AccessDeniedException") return new IntegrationError(`AWS denied access while ${what}: check the role's trust policy and its read-only IAM permissions.`, "access_denied");
  if (["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"].includes(code)) return new IntegrationError("AWS is rate-limiting requests; the next sync will try again.", "throttled");
  if (["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "IncompleteSignature", "MissingAuthenticationToken", "CredentialsProviderError"].includes(code)) {
    return new IntegrationError("AWS did not accept Gatehouse's own credentials; this is on Gatehouse's side, please contact support.", "provider_error");
  }
  if (code === "network_error") return new IntegrationError(`Gatehouse could not reach AWS while ${what}; the next sync will try again.`, "provider_error");
  return new IntegrationError(`AWS answered ${code} while ${what}.`, "provider_error");
}

/**
 * IAM GetAccountAuthorizationDetails for one entity type, following Marker while IsTruncated, until the type holds
 * `ctx.limit + 1` (ctx.add then answers false: the type was cut).
 */
async function readDetails<T>(
  iam: IAMClient,
  ctx: SyncContext,
  type: ResourceType,
  filter: EntityType[],
  pick: (page: GetAccountAuthorizationDetailsCommandOutput) => T[] | undefined,
  alreadyRead: number,
  toResource: (item: T) => FoundResource,
): Promise<void> {
  let read = alreadyRead;
  let marker: string | undefined;
  do {
    const maxItems = Math.max(1, Math.min(1000, ctx.limit + 1 - read));
    const page = await call(ctx.signal, "reading IAM", () => iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: filter, MaxItems: maxItems, Marker: marker }), { abortSignal: ctx.signal }));
    for (const item of pick(page) ?? []) {
      read += 1;
      if (!ctx.add(toResource(item))) {
        ctx.progress(type, read);
        return;
      }
    }
    ctx.progress(type, read);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
}

/**
 * IAM GenerateCredentialReport until COMPLETE (polling with doubling waits for at most REPORT_WAIT_MS), then
 * GetCredentialReport, parsed as CSV rows keyed by the header (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
 */
async function readCredentialReport(iam: IAMClient, signal: AbortSignal): Promise<Record<string, string>[]> {
  const deadline = Date.now() + REPORT_WAIT_MS;
  for (let wait = REPORT_FIRST_POLL_MS; ; wait = Math.min(wait * 2, 5_000)) {
    const { State } = await call(signal, "generating the IAM credential report", () => iam.send(new GenerateCredentialReportCommand({}), { abortSignal: signal }));
    if (State === "COMPLETE") break;
    if (Date.now() + wait > deadline) throw new IntegrationError("AWS did not finish the IAM credential report in time; the next sync will try again.", "provider_error");
    await sleep(wait, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
  const { Content } = await call(signal, "reading the IAM credential report", () => iam.send(new GetCredentialReportCommand({}), { abortSignal: signal }));
  const [header, ...rows] = parseCsv(Buffer.from(Content ?? new Uint8Array()).toString("utf8"));
  if (!header?.includes("arn") || !header.includes("mfa_active")) throw new IntegrationError("AWS answered an IAM credential report Gatehouse cannot read.");
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

/** RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell), rows.push(row), (row = []), (cell = "");
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

/** A policy document (IAM answers them URL-encoded, RFC 3986); null when unreadable. */
function parseDocument(encoded: string | undefined): { Statement?: unknown } | null {
  if (!encoded) return null;
  try {
    return JSON.parse(encoded.startsWith("{") ? encoded : decodeURIComponent(encoded)) as { Statement?: unknown };
  } catch {
    return null;
  }
}

const asList = <T>(value: T | T[] | undefined | null): T[] => (value == null ? [] : Array.isArray(value) ? value : [value]);
const statements = (encoded: string | undefined) => asList(parseDocument(encoded)?.Statement as Record<string, unknown> | Record<string, unknown>[] | undefined);

/** Whether a document allows Action "*" on Resource "*" in one statement. */
function allowsEverything(encoded: string | undefined): boolean {
  return statements(encoded).some(
    (s) => s.Effect === "Allow" && asList(s.Action as string | string[]).some((a) => a === "*" || a === "*:*") && asList(s.Resource as string | string[]).includes("*"),
  );
}

/** The AWS principals a trust policy allows (`*` for anyone), and whether it lets any principal in. */
function trustedPrincipals(encoded: string | undefined): { principals: string[]; anyone: boolean } {
  const principals = statements(encoded)
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => (s.Principal === "*" ? ["*"] : asList((s.Principal as { AWS?: string | string[] } | undefined)?.AWS)));
  return { principals, anyone: principals.includes("*") };
}

const iso = (date: Date | undefined) => date?.toISOString() ?? null;
/** A credential report time, or null for N/A, no_information, not_supported. */
const reportTime = (value: string | undefined) => (value && /^\d{4}-\d\d-\d\d/.test(value) ? new Date(value).toISOString() : null);

function accessKeys(row: Record<string, string> | undefined) {
  if (!row) return [];
  return [1, 2].flatMap((slot) => {
    const createdAt = reportTime(row[`access_key_${slot}_last_rotated`]);
    if (!createdAt) return [];
    return [{ slot, active: row[`access_key_${slot}_active`] === "true", createdAt, ageDays: Math.floor((Date.now() - Date.parse(createdAt)) / DAY_MS), lastUsed: reportTime(row[`access_key_${slot}_last_used_date`]) }];
  });
}
const latest = (dates: (string | null)[]) => dates.filter((d): d is string => d !== null).sort().at(-1) ?? null;
const oldActiveKey = (keys: ReturnType<typeof accessKeys>) => keys.some((k) => k.active && k.ageDays > ACCESS_KEY_MAX_AGE_DAYS);

function policyResource(p: ManagedPolicyDetail, adminPolicies: Set<string>): FoundResource {
  const document = p.PolicyVersionList?.find((v) => v.IsDefaultVersion)?.Document;
  const admin = allowsEverything(document);
  if (admin && p.Arn) adminPolicies.add(p.Arn);
  return {
    type: "policy",
    externalId: p.Arn ?? "",
    name: p.PolicyName ?? "",
    attributes: { path: p.Path, policyId: p.PolicyId, managedBy: p.Arn?.includes(":iam::aws:policy/") ? "aws" : "customer", attachmentCount: p.AttachmentCount ?? 0, defaultVersionId: p.DefaultVersionId, admin, createdAt: iso(p.CreateDate), updatedAt: iso(p.UpdateDate) },
    risk: assessRisk([[admin, "critical", ADMIN_REASON]]),
  };
}

/** Attached managed policy ARNs, inline policy names, and whether any of them allows everything. */
function permissions(attached: { PolicyArn?: string }[] | undefined, inline: { PolicyName?: string; PolicyDocument?: string }[] | undefined, adminPolicies: Set<string>) {
  const policies = (attached ?? []).flatMap((a) => (a.PolicyArn ? [a.PolicyArn] : []));
  const admin = policies.some((arn) => adminPolicies.has(arn)) || (inline ?? []).some((i) => allowsEverything(i.PolicyDocument));
  return { policies, inlinePolicies: (inline ?? []).map((i) => i.PolicyName ?? ""), admin };
}

function groupResource(g: GroupDetail, adminPolicies: Set<string>, groups: Map<string, { arn: string; admin: boolean }>): FoundResource {
  const access = permissions(g.AttachedManagedPolicies, g.GroupPolicyList, adminPolicies);
  groups.set(g.GroupName ?? "", { arn: g.Arn ?? "", admin: access.admin });
  return {
    type: "group",
    externalId: g.Arn ?? "",
    name: g.GroupName ?? "",
    attributes: { path: g.Path, groupId: g.GroupId, createdAt: iso(g.CreateDate), ...access },
    risk: assessRisk([[access.admin, "high", "Members get administrator access"]]),
  };
}

function roleResource(r: RoleDetail, adminPolicies: Set<string>): FoundResource {
  const access = permissions(r.AttachedManagedPolicies, r.RolePolicyList, adminPolicies);
  const trust = trustedPrincipals(r.AssumeRolePolicyDocument);
  return {
    type: "role",
    externalId: r.Arn ?? "",
    name: r.RoleName ?? "",
    attributes: { path: r.Path, roleId: r.RoleId, createdAt: iso(r.CreateDate), lastUsed: iso(r.RoleLastUsed?.LastUsedDate), trustedPrincipals: trust.principals, ...access },
    risk: assessRisk([
      [trust.anyone, "critical", "Any AWS principal may assume this role"],
      [access.admin, "high", "Has administrator access"],
    ]),
  };
}

function rootResource(row: Record<string, string>): FoundResource {
  const keys = accessKeys(row);
  const mfa = row.mfa_active === "true";
  const activeKeys = keys.some((k) => k.active);
  return {
    type: "user",
    externalId: row.arn ?? "",
    name: "Root account",
    attributes: { root: true, createdAt: reportTime(row.user_creation_time), mfa, console: true, accessKeys: keys, passwordLastUsed: reportTime(row.password_last_used), lastUsed: latest([reportTime(row.password_last_used), ...keys.map((k) => k.lastUsed)]) },
    risk: assessRisk([
      [activeKeys, "critical", "Root account has active access keys"],
      [!mfa, "high", "Root account without MFA"],
      [oldActiveKey(keys), "medium", "Access key older than 90 days"],
    ]),
  };
}

function userResource(
  u: UserDetail,
  accountId: string,
  adminPolicies: Set<string>,
  groups: Map<string, { arn: string; admin: boolean }>,
  report: Map<string | undefined, Record<string, string>>,
): FoundResource {
  const access = permissions(u.AttachedManagedPolicies, u.UserPolicyList, adminPolicies);
  // A group beyond the resource limit was not read: name its ARN with the default path.
  const memberOf = (u.GroupList ?? []).map((name) => groups.get(name) ?? { arn: `arn:aws:iam::${accountId}:group/${name}`, admin: false });
  const admin = access.admin || memberOf.some((g) => g.admin);
  const row = report.get(u.Arn);
  const keys = accessKeys(row);
  const mfa = row ? row.mfa_active === "true" : null;
  const console = row ? row.password_enabled === "true" : null;
  return {
    type: "user",
    externalId: u.Arn ?? "",
    name: u.UserName ?? "",
    attributes: {
      path: u.Path, userId: u.UserId, createdAt: iso(u.CreateDate), groups: memberOf.map((g) => g.arn), ...access, admin, mfa, console, accessKeys: keys,
      passwordLastUsed: reportTime(row?.password_last_used), lastUsed: latest([reportTime(row?.password_last_used), ...keys.map((k) => k.lastUsed)]),
    },
    risk: assessRisk([
      [admin, "high", "Has administrator access"],
      [console === true && mfa === false, "high", "Console access without MFA"],
      [oldActiveKey(keys), "medium", "Access key older than 90 days"],
    ]),
  };
}
