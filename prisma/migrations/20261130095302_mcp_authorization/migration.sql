-- CreateEnum
CREATE TYPE "AppClientRegistration" AS ENUM ('metadata_document', 'dynamic', 'admin');

-- CreateTable
CREATE TABLE "app_clients" (
    "id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "registration" "AppClientRegistration" NOT NULL,
    "name" TEXT NOT NULL,
    "logo_uri" TEXT,
    "client_uri" TEXT,
    "redirect_uris" TEXT[],
    "token_endpoint_auth_method" TEXT NOT NULL DEFAULT 'none',
    "secret_digest" TEXT,
    "secret_prefix" TEXT,
    "metadata_cached_until" TIMESTAMP(3),
    "unused_expires_at" TIMESTAMP(3),
    "blocked_at" TIMESTAMP(3),
    "blocked_by_id" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "app_clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_grants" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "partner_id" TEXT NOT NULL,
    "app_client_id" TEXT NOT NULL,
    "scopes" TEXT[],
    "resource" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "last_used_at" TIMESTAMP(3),

    CONSTRAINT "oauth_grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_authorizations" (
    "id" TEXT NOT NULL,
    "grant_id" TEXT NOT NULL,
    "code_digest" TEXT NOT NULL,
    "code_challenge" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "scopes" TEXT[],
    "resource" TEXT NOT NULL,
    "code_expires_at" TIMESTAMP(3) NOT NULL,
    "code_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_authorizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_refresh_tokens" (
    "id" TEXT NOT NULL,
    "authorization_id" TEXT NOT NULL,
    "token_digest" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "app_clients_client_id_key" ON "app_clients"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "app_clients_secret_digest_key" ON "app_clients"("secret_digest");

-- CreateIndex
CREATE INDEX "app_clients_unused_expires_at_idx" ON "app_clients"("unused_expires_at");

-- CreateIndex
CREATE INDEX "app_clients_created_at_id_idx" ON "app_clients"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "oauth_grants_partner_id_created_at_idx" ON "oauth_grants"("partner_id", "created_at");

-- CreateIndex
CREATE INDEX "oauth_grants_app_client_id_idx" ON "oauth_grants"("app_client_id");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_grants_user_id_app_client_id_key" ON "oauth_grants"("user_id", "app_client_id");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_authorizations_code_digest_key" ON "oauth_authorizations"("code_digest");

-- CreateIndex
CREATE INDEX "oauth_authorizations_grant_id_idx" ON "oauth_authorizations"("grant_id");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_refresh_tokens_token_digest_key" ON "oauth_refresh_tokens"("token_digest");

-- CreateIndex
CREATE INDEX "oauth_refresh_tokens_authorization_id_idx" ON "oauth_refresh_tokens"("authorization_id");

-- AddForeignKey
ALTER TABLE "oauth_grants" ADD CONSTRAINT "oauth_grants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_grants" ADD CONSTRAINT "oauth_grants_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_grants" ADD CONSTRAINT "oauth_grants_app_client_id_fkey" FOREIGN KEY ("app_client_id") REFERENCES "app_clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_grant_id_fkey" FOREIGN KEY ("grant_id") REFERENCES "oauth_grants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oauth_refresh_tokens" ADD CONSTRAINT "oauth_refresh_tokens_authorization_id_fkey" FOREIGN KEY ("authorization_id") REFERENCES "oauth_authorizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
