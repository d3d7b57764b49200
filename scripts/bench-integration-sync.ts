/**
 * The integration sync benchmark (issue 14): a whole sync of 5,000 users in 250 groups (20,000 memberships), for each
 * provider (an AWS account's IAM users and groups, and each directory), through the real path: the PostgreSQL job queue (claim, lease), the
 * connector against the local provider emulator (scripts/lib/local-directories: each API's paging), risk, and the
 * batched writes in the transaction that ends the job. Target: ≤ 30 s on 2 cores.
 *
 * Run by scripts/bench.ts in a child process (`node --import tsx scripts/bench-integration-sync.ts`, DATABASE_URL
 * set) with a development configuration, since production refuses the emulator's loopback URLs. Prints one JSON line:
 * `{ "results": [{ provider, seconds, status, users, groups, roles, memberships }] }`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { largeAccountFixture, startLocalAws } from "./lib/local-aws.ts";
import { startLocalDirectories } from "./lib/local-directories/index.ts";
import { largeDirectory } from "./lib/local-directories/store.ts";

export const SYNC_BENCH = { users: 5000, groups: 250, membershipsPerUser: 4, targetSeconds: 30 } as const;

export interface SyncBenchResult {
  provider: "aws" | "okta" | "google" | "entra";
  seconds: number;
  status: string;
  users: number;
  groups: number;
  roles: number;
  /** Group memberships stored on the users (attributes.groups), summed. */
  memberships: number;
}

/** What a complete sync of the benchmark's fixture stores for `provider`. */
export function expectedSyncBench(provider: SyncBenchResult["provider"]): { users: number; memberships: number } {
  const iamUsers = provider === "aws" ? SYNC_BENCH.users - 1 : SYNC_BENCH.users;
  return { users: SYNC_BENCH.users, memberships: iamUsers * SYNC_BENCH.membershipsPerUser };
}

async function main(): Promise<void> {
  const directories = await startLocalDirectories({ redirectOrigins: [] });
  const aws = await startLocalAws();
  Object.assign(process.env, directories.env, aws.env, { LOG_LEVEL: "silent" });
  const { db, sql } = await import("../lib/db.ts");
  const { sealCredentials } = await import("../lib/integrations/credentials.ts");
  const { REQUIRED_SCOPES } = await import("../lib/integrations/oauth.ts");
  const { drainSyncJobs, requestSync } = await import("../lib/integrations/sync.ts");
  const results: SyncBenchResult[] = [];

  /** Runs the integration's queued sync and reads what it stored. */
  const timeSync = async (provider: SyncBenchResult["provider"], partnerId: string, integrationId: string) => {
    await requestSync(partnerId, integrationId, { type: "system", id: "bench" });
    const started = performance.now();
    await drainSyncJobs();
    const seconds = (performance.now() - started) / 1000;
    const job = await db.syncJob.findFirstOrThrow({ where: { integrationId } });
    const [counts] = await sql<{ users: number; groups: number; roles: number; memberships: number }>`
      SELECT count(*) FILTER (WHERE type = 'user')::int AS users, count(*) FILTER (WHERE type = 'group')::int AS groups,
             count(*) FILTER (WHERE type = 'role')::int AS roles,
             COALESCE(sum(jsonb_array_length(attributes->'groups')) FILTER (WHERE type = 'user'), 0)::int AS memberships
        FROM integration_resources WHERE integration_id = ${integrationId}`;
    results.push({ provider, seconds, status: job.status, ...counts! });
  };

  try {
    // AWS: an account's IAM users in 250 groups, read through an assumed role (STS, then IAM paged by Marker). The root
    // account is a user resource too, so 4,999 IAM users make the 5,000 (and 19,996 memberships).
    {
      const accountId = "210987654321";
      aws.createAccount(accountId, largeAccountFixture({ users: SYNC_BENCH.users - 1, groups: SYNC_BENCH.groups, membershipsPerUser: SYNC_BENCH.membershipsPerUser }));
      const externalId = `gatehouse-bench-${randomBytes(8).toString("hex")}`;
      const roleArn = aws.putRole(accountId, "GatehouseBench", { principalArn: aws.gatehouse.principalArn, externalId });
      const partner = await db.partner.create({ data: { name: `Sync bench aws ${externalId}`, status: "approved" } });
      const row = await db.integration.create({ data: { partnerId: partner.id, provider: "aws", name: "aws bench", status: "connected", externalId, roleArn, accountId } });
      await timeSync("aws", partner.id, row.id);
    }
    for (const provider of ["okta", "google", "entra"] as const) {
      const key = provider === "okta" ? `bench-${randomBytes(3).toString("hex")}` : provider === "google" ? `bench-${randomBytes(3).toString("hex")}.test` : randomUUID();
      const domain = provider === "google" ? key : "bench.test";
      directories.store.put(provider, key, largeDirectory({ provider, domain, users: SYNC_BENCH.users, groups: SYNC_BENCH.groups, membershipsPerUser: SYNC_BENCH.membershipsPerUser }));
      const accessToken = `bench-at-${randomBytes(24).toString("base64url")}`;
      directories.tokens.add(accessToken, { provider, directory: key, scopes: REQUIRED_SCOPES[provider], expiresAt: Date.now() + 3_600_000 });
      const partner = await db.partner.create({ data: { name: `Sync bench ${provider} ${key}`, status: "approved" } });
      const row = await db.integration.create({
        data: { partnerId: partner.id, provider, name: `${provider} bench`, status: "connected", directory: provider === "okta" ? `${directories.url}/okta/${key}` : key, grantedScopes: REQUIRED_SCOPES[provider] },
      });
      const { sealed, keyId } = sealCredentials({ partnerId: partner.id, integrationId: row.id, provider }, { access_token: accessToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
      await db.integration.update({ where: { id: row.id }, data: { credentials: sealed, credentialsKeyId: keyId } });
      await timeSync(provider, partner.id, row.id);
    }
  } finally {
    await directories.stop();
    await aws.stop();
    await db.$disconnect();
  }
  console.log(JSON.stringify({ results }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
