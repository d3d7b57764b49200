-- CreateEnum
CREATE TYPE "IntegrationProvider" AS ENUM ('aws', 'google', 'okta', 'entra');

-- CreateEnum
CREATE TYPE "IntegrationStatus" AS ENUM ('pending', 'connected', 'reconnect_needed');

-- CreateEnum
CREATE TYPE "SyncJobStatus" AS ENUM ('queued', 'running', 'succeeded', 'partial', 'timed_out', 'failed');

-- CreateEnum
CREATE TYPE "RiskLevel" AS ENUM ('critical', 'high', 'medium', 'low');

-- CreateTable
CREATE TABLE "integrations" (
    "id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "provider" "IntegrationProvider" NOT NULL,
    "name" TEXT NOT NULL,
    "status" "IntegrationStatus" NOT NULL DEFAULT 'pending',
    "external_id" TEXT,
    "role_arn" TEXT,
    "account_id" TEXT,
    "directory" TEXT,
    "granted_scopes" TEXT[],
    "credentials" TEXT,
    "credentials_key_id" TEXT,
    "refresh_lease_until" TIMESTAMPTZ(3),
    "sync_interval_minutes" INTEGER,
    "next_sync_at" TIMESTAMPTZ(3),
    "last_sync_at" TIMESTAMPTZ(3),
    "last_sync_status" "SyncJobStatus",
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_oauth_states" (
    "state_digest" TEXT NOT NULL,
    "integration_id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "provider" "IntegrationProvider" NOT NULL,
    "session_digest" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_oauth_states_pkey" PRIMARY KEY ("state_digest")
);

-- CreateTable
CREATE TABLE "sync_jobs" (
    "id" TEXT NOT NULL,
    "integration_id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "status" "SyncJobStatus" NOT NULL DEFAULT 'queued',
    "trigger" TEXT NOT NULL,
    "requested_by_id" TEXT,
    "active_for" TEXT,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "counts" JSONB NOT NULL DEFAULT '{}',
    "truncated" TEXT[],
    "deleted" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "sync_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_resources" (
    "id" TEXT NOT NULL,
    "integration_id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "risk_level" "RiskLevel" NOT NULL,
    "risk_reasons" TEXT[],
    "last_seen_job_id" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_resources_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "integrations_external_id_key" ON "integrations"("external_id");

-- CreateIndex
CREATE INDEX "integrations_partner_id_created_at_idx" ON "integrations"("partner_id", "created_at");

-- CreateIndex
CREATE INDEX "integrations_next_sync_at_idx" ON "integrations"("next_sync_at");

-- CreateIndex
CREATE INDEX "integration_oauth_states_expires_at_idx" ON "integration_oauth_states"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "sync_jobs_active_for_key" ON "sync_jobs"("active_for");

-- CreateIndex
CREATE INDEX "sync_jobs_integration_id_created_at_idx" ON "sync_jobs"("integration_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "sync_jobs_status_created_at_idx" ON "sync_jobs"("status", "created_at");

-- CreateIndex
CREATE INDEX "integration_resources_integration_id_risk_level_type_name_idx" ON "integration_resources"("integration_id", "risk_level", "type", "name");

-- CreateIndex
CREATE INDEX "integration_resources_integration_id_type_name_idx" ON "integration_resources"("integration_id", "type", "name");

-- CreateIndex
CREATE UNIQUE INDEX "integration_resources_integration_id_type_external_id_key" ON "integration_resources"("integration_id", "type", "external_id");

-- AddForeignKey
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_oauth_states" ADD CONSTRAINT "integration_oauth_states_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_resources" ADD CONSTRAINT "integration_resources_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
