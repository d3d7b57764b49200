-- AlterTable
ALTER TABLE "users" ADD COLUMN     "removed_from_partner_id" TEXT;
