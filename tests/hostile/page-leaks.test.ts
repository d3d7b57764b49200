/**
 * Refused page requests carry nothing of the page (issue "Access declared once", what the review found).
 *
 * Against a production build: a made-up session cookie, a member of an approved partner and a member of a pending
 * partner each request every admin page. Whatever the status (307 to sign-in, 403, 200 of some other page), the
 * BODY must hold none of the data planted for admins: an outbox email with a magic link, an OAuth client, a pending
 * signup, an allowlist entry. An admin's own request shows them (so the needles are real).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { systemAdminActor } from "@/lib/auth/admin-actor";
import { allowDomainAsAdmin } from "@/lib/partners/allowlist";
import { createOAuthClientAsAdmin } from "@/lib/oauth/clients";
import { createPartner, createUser, unique } from "../integration/support.ts";
import { startProductionInstance, type ProductionInstance } from "./support/production.ts";
import { secureSessionCookie } from "./support/seed.ts";

const ADMIN_PAGES = ["/admin/outbox", "/admin/oauth-clients", "/admin/partners", "/admin/partners/domains"];

let app: ProductionInstance;
const needles: Record<string, string> = {};
const callers: Record<string, string> = {};
let adminCookie: string;

beforeAll(async () => {
  app = await startProductionInstance({ databaseUrl: process.env.DATABASE_URL!, name: "page-leaks" });
  const approved = await createPartner();
  const pending = await createPartner({ status: "pending_approval", name: unique("Pending Signup Ltd") });
  needles["pending signup"] = pending.name;
  const magicLink = `/portal/enter/gpl_${unique("leakcheck")}`;
  needles["outbox magic link"] = magicLink;
  await db.outboxEmail.create({ data: { dedupeKey: unique("leak"), to: ["client@example.test"], subject: unique("Your portal link"), text: `Open ${magicLink}` } });
  const { client } = await createOAuthClientAsAdmin({ name: unique("Leak Check Service"), partner_id: approved.id, scopes: "groups:read" }, systemAdminActor());
  needles["OAuth client"] = client.clientId;
  const allowed = `${unique("allowed")}.test`;
  await allowDomainAsAdmin({ value: allowed }, systemAdminActor());
  needles["allowlist entry"] = allowed;

  callers["made-up session cookie"] = "__Secure-authjs.session-token=anything";
  callers["member of an approved partner"] = (await secureSessionCookie((await createUser({ partnerId: approved.id })).id)).cookie;
  callers["member of a pending partner"] = (await secureSessionCookie((await createUser({ partnerId: pending.id })).id)).cookie;
  adminCookie = (await secureSessionCookie((await createUser({ role: "admin" })).id)).cookie;
});

afterAll(async () => {
  await app?.stop();
});

async function body(path: string, cookie: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${app.url}${path}`, { headers: { cookie }, redirect: "manual" });
  return { status: response.status, text: await response.text() };
}

describe("admin pages refuse with empty hands", () => {
  it("shows the planted data to an admin (the needles are findable)", async () => {
    const pages = await Promise.all(ADMIN_PAGES.map((path) => body(path, adminCookie)));
    const all = pages.map((p) => p.text).join("\n");
    for (const [what, needle] of Object.entries(needles)) expect(all, what).toContain(needle);
  });

  for (const caller of ["made-up session cookie", "member of an approved partner", "member of a pending partner"]) {
    it(`answers a ${caller} without any admin data in the body`, async () => {
      for (const path of ADMIN_PAGES) {
        const { status, text } = await body(path, callers[caller]!);
        expect(status, `${path} status`).not.toBe(200);
        for (const [what, needle] of Object.entries(needles)) expect(text.includes(needle), `${path} body leaks the ${what} (status ${status})`).toBe(false);
      }
    });
  }
});
