import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { db } from "@/lib/db";
import { RateLimitedError } from "@/lib/http/errors";
import { toResponse } from "@/lib/http/respond";
import { issueAccessLink } from "@/lib/portal/clients";
import { createPartnerWithPortalClient } from "./support";

const previous = process.env.RATE_LIMIT_PORTAL_EMAILS_PER_HOUR;
beforeAll(() => {
  process.env.RATE_LIMIT_PORTAL_EMAILS_PER_HOUR = "2";
  resetConfigForTests();
});
afterAll(() => {
  if (previous === undefined) delete process.env.RATE_LIMIT_PORTAL_EMAILS_PER_HOUR;
  else process.env.RATE_LIMIT_PORTAL_EMAILS_PER_HOUR = previous;
  resetConfigForTests();
});

const setup = createPartnerWithPortalClient;

describe("portal links emailed by a partner (RATE_LIMIT_PORTAL_EMAILS_PER_HOUR)", () => {
  it("are limited per partner per hour: over the limit a 429 with Retry-After, and nothing is written", async () => {
    const { partner, actor, client } = await setup();
    const email = (n: number) => ({ label: `Mailed ${n}`, email: `contact${n}@example.test` });
    await issueAccessLink(partner.id, client.id, email(1), actor);
    await issueAccessLink(partner.id, client.id, email(2), actor);
    const links = await db.clientAccessToken.count({ where: { clientId: client.id } });
    const mails = await db.outboxEmail.count({ where: { to: { has: "contact3@example.test" } } });

    const refused = await issueAccessLink(partner.id, client.id, email(3), actor).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    const response = toResponse(refused);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(((await response.json()) as { message: string }).message).toMatch(/too many portal links this hour/);
    expect(await db.clientAccessToken.count({ where: { clientId: client.id } })).toBe(links);
    expect(await db.outboxEmail.count({ where: { to: { has: "contact3@example.test" } } })).toBe(mails);
    await expect.poll(() => db.auditEvent.count({ where: { action: "portal.link_email_rate_limited", partnerId: partner.id } })).toBe(1);

    // A link without email is not limited, and another partner has its own budget.
    await expect(issueAccessLink(partner.id, client.id, { label: "Not mailed" }, actor)).resolves.toBeDefined();
    const other = await setup();
    await expect(issueAccessLink(other.partner.id, other.client.id, email(4), other.actor)).resolves.toBeDefined();
  });
});
