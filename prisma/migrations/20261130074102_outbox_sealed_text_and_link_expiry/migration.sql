-- AlterTable
ALTER TABLE "outbox_emails" ADD COLUMN     "sealed_text" TEXT;

-- Hand-written: no stored email keeps a usable portal link (they are sealed in "sealed_text" from now on), and
-- links issued before portal links had a default lifetime (PORTAL_LINK_TTL_DAYS, default 30) expire 30 days from now.
UPDATE "outbox_emails" SET "text" = regexp_replace("text", '/portal/enter/gpl_[0-9A-Za-z]+', '/portal/enter/gpl_[redacted]', 'g')
WHERE "text" ~ '/portal/enter/gpl_[0-9A-Za-z]+';
UPDATE "client_access_tokens" SET "expires_at" = now() + interval '30 days' WHERE "expires_at" IS NULL AND "revoked_at" IS NULL;
