/**
 * A partner's own view of itself. Every function takes the caller's tenant (`partnerId`) and reads only it.
 */
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/http/errors";
import type { PartnerStatus } from "@/lib/partners/approval";

export interface PartnerView {
  id: string;
  name: string;
  status: PartnerStatus;
  primaryDomain: string | null;
  provider: string | null;
  approvedAt: Date | null;
  rejectionReason: string | null;
  suspensionReason: string | null;
  createdAt: Date;
}

export interface MemberView {
  id: string;
  name: string | null;
  email: string | null;
  partnerRole: "owner" | "admin" | "member";
  lastSignInAt: Date | null;
  createdAt: Date;
}

/**
 * The caller's partner organisation.
 * @throws NotFoundError (404) when it does not exist
 */
export async function getPartner(partnerId: string): Promise<PartnerView> {
  const partner = await db.partner.findUnique({
    where: { id: partnerId },
    select: { id: true, name: true, status: true, primaryDomain: true, idpProvider: true, approvedAt: true, rejectionReason: true, suspensionReason: true, createdAt: true },
  });
  if (!partner) throw new NotFoundError("No such partner.");
  const { idpProvider, ...rest } = partner;
  return { ...rest, provider: idpProvider };
}

/**
 * The partner's members, owners first then by name, page-numbered.
 * @param options.page 1-based; `pageSize` 1..100 (default 50)
 */
export async function listPartnerMembers(partnerId: string, options: { page?: number; pageSize?: number } = {}): Promise<{ members: MemberView[]; total: number }> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 50, 1), 100);
  const page = Math.max(options.page ?? 1, 1);
  const [rows, total] = await db.$transaction([
    db.user.findMany({
      where: { partnerId },
      orderBy: [{ partnerRole: "asc" }, { email: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: { id: true, name: true, email: true, partnerRole: true, lastSignInAt: true, createdAt: true },
    }),
    db.user.count({ where: { partnerId } }),
  ]);
  return { members: rows.map((r) => ({ ...r, partnerRole: r.partnerRole ?? "member" })), total };
}
