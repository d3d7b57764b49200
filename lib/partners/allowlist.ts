/**
 * The admin-managed allowlist: a first sign-in from a listed email domain or Entra tenant is approved at once.
 */
import { assertAdminActor, type AdminActor } from "@/lib/auth/admin-actor";
import { z } from "zod";
import { db, type Prisma } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";
import { ConflictError, NotFoundError } from "@/lib/http/errors";
import type { SignInOrganization } from "@/lib/partners/organization";

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const TENANT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const allowlistAddSchema = z
  .object({ value: z.string().trim().toLowerCase().min(1, "is required").max(253) })
  .transform(({ value }, ctx) => {
    if (TENANT.test(value)) return { kind: "entra_tenant" as const, value };
    if (DOMAIN.test(value)) return { kind: "email_domain" as const, value };
    ctx.addIssue({ code: "custom", path: ["value"], message: "must be a domain such as acme.com or an Entra tenant id (GUID)" });
    return z.NEVER;
  });

export interface AllowlistEntryView {
  id: string;
  kind: "email_domain" | "entra_tenant";
  value: string;
  createdAt: Date;
}

/**
 * Whether a first sign-in from this organisation is pre-approved: its email domain (Google: `hd`) is listed and the
 * identity provider vouches for the email (isEmailVouchedFor), or, for Entra, its tenant id (asserted by Entra
 * itself) is listed.
 * @param emailVouched whether the IdP vouches for the sign-in's email; without it the domain is only a claim
 */
export async function isAllowlisted(tx: Prisma.TransactionClient, organization: Extract<SignInOrganization, { kind: "organization" }>, emailVouched: boolean): Promise<boolean> {
  const candidates: Prisma.AllowlistEntryWhereInput[] = emailVouched ? [{ kind: "email_domain", value: organization.domain }] : [];
  if (organization.provider === "microsoft-entra-id") candidates.push({ kind: "entra_tenant", value: organization.organization });
  return candidates.length > 0 && (await tx.allowlistEntry.count({ where: { OR: candidates } })) > 0;
}

/**
 * Adds a domain or Entra tenant id to the allowlist.
 * @throws ZodError for a malformed value; ConflictError (409) when it is already listed
 */
export async function allowDomainAsAdmin(input: { value: string }, actor: AdminActor): Promise<AllowlistEntryView> {
  assertAdminActor(actor);
  const { kind, value } = allowlistAddSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const entry = await tx.allowlistEntry.create({ data: { kind, value, createdById: actor.id ?? null }, select: { id: true, kind: true, value: true, createdAt: true } });
      await tx.auditEvent.create({ data: auditRow({ action: "allowlist.added", actor: { type: actor.type, id: actor.id }, target: { type: "allowlist_entry", id: entry.id }, metadata: { kind, value } }) });
      return entry;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ConflictError(`${value} is already on the allowlist.`);
    throw error;
  }
}

/**
 * Removes an allowlist entry. Partners already approved through it stay approved.
 * @throws NotFoundError (404) for an unknown id
 */
export async function removeAllowlistEntryAsAdmin(id: string, actor: AdminActor): Promise<void> {
  assertAdminActor(actor);
  await db.$transaction(async (tx) => {
    const entry = await tx.allowlistEntry.findUnique({ where: { id } });
    if (!entry) throw new NotFoundError("No such allowlist entry.");
    await tx.allowlistEntry.delete({ where: { id } });
    await tx.auditEvent.create({ data: auditRow({ action: "allowlist.removed", actor: { type: actor.type, id: actor.id }, target: { type: "allowlist_entry", id }, metadata: { kind: entry.kind, value: entry.value } }) });
  });
}

/** Lists the allowlist, alphabetically. @throws ForbiddenError (403) without a minted admin actor */
export async function listAllowlistAsAdmin(admin: AdminActor): Promise<AllowlistEntryView[]> {
  assertAdminActor(admin);
  return db.allowlistEntry.findMany({ orderBy: [{ kind: "asc" }, { value: "asc" }], select: { id: true, kind: true, value: true, createdAt: true } });
}
