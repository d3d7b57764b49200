/**
 * The admin console at scale (issue 13), for `npm run bench -- --only admin-console`: 10,000 partners (20,000
 * members) and 1,000,000 audit events, seeded in SQL (INSERT … SELECT generate_series: seconds, not hours; the
 * append-only trigger on audit_events refuses only UPDATE/DELETE/TRUNCATE), an admin's session row, the scenarios to
 * load at low concurrency, and the EXPLAIN (ANALYZE, BUFFERS) plans of the statements behind them.
 */
import pg from "pg";

export const ADMIN_CONSOLE_PARTNERS = 10_000;
export const ADMIN_CONSOLE_EVENTS = 1_000_000;
/** The action filtered on: common (about half of all events) and rare (0.1%). */
export const COMMON_ACTION = "auth.sign_in";
export const RARE_ACTION = "partner.suspended";

export interface AdminConsoleFixtures {
  /** A partner with about 100 events spread over the whole range. */
  partnerId: string;
  partnerName: string;
  /** `Cookie` header of an admin's live session. */
  adminCookie: string;
  seedSeconds: number;
}

/**
 * Seeds the fixtures into `databaseUrl` (a fresh, migrated database).
 * @param cookieName the session cookie's name in production (`__Secure-authjs.session-token`)
 */
export async function seedAdminConsole(databaseUrl: string, cookieName: string): Promise<AdminConsoleFixtures> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  try {
    await client.query(`
      INSERT INTO partners (id, name, status, primary_domain, idp_provider, idp_organization, approved_at, created_at, updated_at)
      SELECT 'bench-p' || g, 'Bench Partner ' || g,
             (CASE WHEN g % 10 < 7 THEN 'approved' WHEN g % 10 = 7 THEN 'pending_approval' WHEN g % 10 = 8 THEN 'rejected' ELSE 'suspended' END)::"PartnerStatus",
             'bench' || g || '.test', 'google', 'bench' || g || '.test',
             CASE WHEN g % 10 < 7 THEN now() END, now() - g * interval '1 minute', now()
        FROM generate_series(1, ${ADMIN_CONSOLE_PARTNERS}) g`);
    await client.query(`
      INSERT INTO users (id, email, name, role, partner_id, partner_role, created_at, updated_at)
      SELECT 'bench-u' || g, 'user' || g || '@bench' || (1 + g % ${ADMIN_CONSOLE_PARTNERS}) || '.test', 'Bench User ' || g, 'partner',
             'bench-p' || (1 + g % ${ADMIN_CONSOLE_PARTNERS}), (CASE WHEN g <= ${ADMIN_CONSOLE_PARTNERS} THEN 'owner' ELSE 'member' END)::"PartnerRole",
             now() - g * interval '1 second', now()
        FROM generate_series(1, ${ADMIN_CONSOLE_PARTNERS * 2}) g`);
    await client.query(`UPDATE partners SET owner_user_id = 'bench-u' || (substr(id, 8)::int - 1) WHERE id LIKE 'bench-p%' AND substr(id, 8)::int > 1`);
    // One event every 3 s going back about 35 days; partners interleaved, about half sign-ins, 0.1% suspensions.
    await client.query(`
      INSERT INTO audit_events (id, occurred_at, action, actor_type, actor_id, partner_id, target_type, target_id, ip, metadata)
      SELECT gen_random_uuid(), now() - g * interval '3 seconds',
             CASE WHEN g % 1000 = 0 THEN '${RARE_ACTION}'
                  ELSE (ARRAY['${COMMON_ACTION}', '${COMMON_ACTION}', '${COMMON_ACTION}', '${COMMON_ACTION}', '${COMMON_ACTION}',
                              'group.member_added', 'group.created', 'api_key.created', 'client.link_issued', 'portal.entered'])[1 + g % 10] END,
             'user', 'bench-u' || (1 + g % ${ADMIN_CONSOLE_PARTNERS * 2}), 'bench-p' || (1 + (g::bigint * 7919) % ${ADMIN_CONSOLE_PARTNERS}),
             'partner', 'bench-p' || (1 + (g::bigint * 7919) % ${ADMIN_CONSOLE_PARTNERS}), '10.0.0.' || (g % 250), '{"bench": true}'
        FROM generate_series(1, ${ADMIN_CONSOLE_EVENTS}) g`);
    await client.query(`INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES ('bench-admin', 'admin@bench.test', 'Bench Admin', 'admin', now(), now())`);
    const token = `bench-${crypto.randomUUID()}`;
    await client.query(`INSERT INTO sessions (id, session_token, user_id, expires) VALUES ('bench-admin-session', $1, 'bench-admin', now() + interval '1 day')`, [token]);
    await client.query("ANALYZE");
    return { partnerId: "bench-p4242", partnerName: "Bench Partner 4242", adminCookie: `${cookieName}=${token}`, seedSeconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, as text. */
export async function explainAll(databaseUrl: string, statements: { title: string; text: string; values: unknown[] }[]): Promise<{ title: string; plan: string }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const plans = [];
    for (const statement of statements) {
      const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values);
      plans.push({ title: statement.title, plan: result.rows.map((row) => row["QUERY PLAN"]).join("\n") });
    }
    return plans;
  } finally {
    await client.end();
  }
}

/**
 * The admin partner list's statements as Prisma sends them for `/admin/partners?tab=approved` (page 1 of 20, with
 * member counts) and its status counts, written out by hand for EXPLAIN.
 */
export const PARTNER_LIST_STATEMENTS = [
  {
    title: "admin partner list, approved tab, page 1 (rows + member counts)",
    text: `SELECT p.id, p.name, p.status, p.created_at, (SELECT count(*) FROM users u WHERE u.partner_id = p.id) AS members
             FROM partners p WHERE p.status = 'approved' ORDER BY p.created_at DESC, p.id DESC LIMIT 20 OFFSET 0`,
    values: [],
  },
  { title: "admin partner list, approved tab (total)", text: `SELECT count(*) FROM partners WHERE status = 'approved'`, values: [] },
  { title: "admin partner tabs (counts by status)", text: `SELECT status, count(*) FROM partners GROUP BY status`, values: [] },
];
