/**
 * Entering the portal through a magic link, and the operator preview.
 */
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { auditRow } from "@/lib/audit/record-audit";
import { NotFoundError } from "@/lib/http/errors";
import { digestSecret, isWellFormedSecret } from "@/lib/secrets/secret-format";
import type { Actor } from "@/lib/portal/clients";

/**
 * Validates a raw link secret (shape and checksum first, then the digest lookup; not revoked, not expired, client
 * active, partner approved) and stamps `last_used_at`.
 * @returns the access-token id to seal into the portal cookie, or null for any invalid link (nothing is written)
 */
export async function enterPortal(rawSecret: string, context: { ip: string | null }): Promise<{ accessTokenId: string } | null> {
  if (!isWellFormedSecret("gpl", rawSecret)) return null;
  const token = await db.clientAccessToken.findUnique({
    where: { tokenDigest: digestSecret(rawSecret) },
    select: { id: true, revokedAt: true, expiresAt: true, isPreview: true, client: { select: { id: true, active: true, partnerId: true, partner: { select: { status: true } } } } },
  });
  if (!token || token.isPreview || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
  if (!token.client.active || token.client.partner.status !== "approved") return null;
  await db.$transaction([
    db.clientAccessToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } }),
    db.auditEvent.create({
      data: auditRow({ action: "portal.entered", actor: { type: "portal", id: token.id }, partnerId: token.client.partnerId, target: { type: "client", id: token.client.id }, ip: context.ip }),
    }),
  ]);
  return { accessTokenId: token.id };
}

/** How long an operator preview session's token lives, ms. */
const PREVIEW_TTL_MS = 8 * 3600 * 1000;

/**
 * Concurrent clicks on one project queue on its advisory lock, each holding a pooled connection: give a burst time to
 * drain rather than failing the tail after Prisma's default 2 s wait (ms).
 */
const PREVIEW_TRANSACTION = { maxWait: 10_000, timeout: 15_000 };

/**
 * "View client portal" for a project: uses the project's client, or creates (once) a per-project `preview-<id>`
 * client and links it only if the project has no client (a real link is never clobbered); reuses the live preview
 * token or creates one. Serialised per project with an advisory lock, so repeated and concurrent clicks yield one
 * client and one token.
 * @returns the access-token id to seal into the portal cookie
 * @throws NotFoundError (404) for a project outside the tenant
 */
export async function provisionPortalPreview(partnerId: string, projectId: string, actor: Actor): Promise<{ accessTokenId: string; clientId: string }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`portal-preview:${projectId}`}, 0))`;
    const project = await tx.project.findFirst({ where: { id: projectId, partnerId }, select: { id: true, name: true, clientId: true } });
    if (!project) throw new NotFoundError("No such project.");

    let clientId = project.clientId;
    if (!clientId) {
      const existing = await tx.client.findUnique({ where: { previewForProjectId: project.id }, select: { id: true } });
      clientId =
        existing?.id ??
        (
          await tx.client.create({
            data: { partnerId, name: `Preview: ${project.name}`.slice(0, 200), slug: `preview-${project.id}`.toLowerCase(), previewForProjectId: project.id },
            select: { id: true },
          })
        ).id;
      // Link only while the project has no client: never overwrite a link someone made meanwhile.
      await tx.project.updateMany({ where: { id: project.id, clientId: null }, data: { clientId } });
      clientId = (await tx.project.findUniqueOrThrow({ where: { id: project.id }, select: { clientId: true } })).clientId!;
    }

    const live = await tx.clientAccessToken.findFirst({
      where: { clientId, isPreview: true, revokedAt: null, expiresAt: { gt: new Date(Date.now() + 60_000) } },
      orderBy: { createdAt: "desc" },
      select: { id: true },
    });
    const accessTokenId =
      live?.id ??
      (
        await tx.clientAccessToken.create({
          // A preview token's secret is never revealed: the operator's cookie carries the row id directly.
          data: { clientId, label: "Operator preview", isPreview: true, tokenDigest: digestSecret(`preview:${randomBytes(32).toString("hex")}`), createdById: actor.type === "user" ? actor.id : null, expiresAt: new Date(Date.now() + PREVIEW_TTL_MS) },
          select: { id: true },
        })
      ).id;
    await tx.auditEvent.create({ data: auditRow({ action: "portal.previewed", actor, partnerId, target: { type: "project", id: project.id }, metadata: { clientId, accessTokenId } }) });
    return { accessTokenId, clientId };
  }, PREVIEW_TRANSACTION);
}
