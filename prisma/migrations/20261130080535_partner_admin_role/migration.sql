-- AlterEnum (before 'member', in the order schema.prisma lists them)
ALTER TYPE "PartnerRole" ADD VALUE 'admin' BEFORE 'member';
