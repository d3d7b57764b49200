/**
 * Shared builders for integration tests: real rows in the test database, unique per call so test files never
 * depend on each other's data (audit_events is append-only, so nothing is ever cleaned up by deleting).
 */
import { randomBytes } from "node:crypto";
import { resetConfigForTests } from "@/lib/config";
import { db } from "@/lib/db";

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

export async function createPartner(options: { status?: "pending_approval" | "approved" | "rejected" | "suspended"; domain?: string; name?: string } = {}) {
  const domain = options.domain ?? `${unique("org")}.test`;
  return db.partner.create({
    data: {
      name: options.name ?? domain,
      status: options.status ?? "approved",
      idpProvider: "google",
      idpOrganization: domain,
      primaryDomain: domain,
      ...(options.status === "approved" || !options.status ? { approvedAt: new Date() } : {}),
    },
  });
}

export async function createUser(options: { partnerId?: string; role?: "admin" | "partner"; email?: string; partnerRole?: "owner" | "admin" | "member" } = {}) {
  return db.user.create({
    data: {
      email: options.email ?? `${unique("user")}@example.test`,
      name: "Test User",
      role: options.role ?? "partner",
      partnerId: options.partnerId ?? null,
      partnerRole: options.partnerId ? (options.partnerRole ?? "member") : null,
    },
  });
}

/** A live database session for the user, as the `Cookie` header a browser would send. */
export async function sessionCookieFor(userId: string): Promise<string> {
  const token = randomBytes(32).toString("hex");
  await db.session.create({ data: { sessionToken: token, userId, expires: new Date(Date.now() + 3_600_000) } });
  return `authjs.session-token=${token}`;
}

export const APP_ORIGIN = "http://localhost:3000";

/** A Request as a browser on Gatehouse's own origin would send it. */
export function browserRequest(path: string, init: { method?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { ...(init.cookie ? { cookie: init.cookie } : {}), ...init.headers };
  if (init.method && init.method !== "GET") {
    headers.origin ??= APP_ORIGIN;
    if (init.body !== undefined) headers["content-type"] ??= "application/json";
  }
  return new Request(`${APP_ORIGIN}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** An approved partner with a member (the actor of the portal changes) and one client-portal client. */
export async function createPartnerWithPortalClient() {
  const { createClient } = await import("@/lib/portal/clients");
  const partner = await createPartner();
  const owner = await createUser({ partnerId: partner.id });
  const actor = { type: "user" as const, id: owner.id };
  const client = await createClient(partner.id, { name: `Client ${unique("c")}` }, actor);
  return { partner, actor, client };
}

/** The magic-link secret of a portal URL (`…/portal/enter/<secret>`). */
export const linkSecretOf = (url: string) => url.split("/portal/enter/")[1]!;

/**
 * Sets environment variables (an emulator's `env`) and makes getConfig() read them again; the returned function puts
 * back what was there before, for an afterAll.
 */
export function setTestEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  resetConfigForTests();
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfigForTests();
  };
}
