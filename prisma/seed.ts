/**
 * The idempotent demo dataset for `npm run dev` (and `npm run db:seed`). Running it twice changes nothing: rows
 * have fixed ids and are inserted with ON CONFLICT DO NOTHING. Later capabilities add their demo rows here; raw demo
 * secrets are returned once for the dev banner and stored only as digests.
 *
 * People are never pre-created: they appear at their first sign-in through the local identity provider
 * (a pre-existing user row would turn that first sign-in into an account-linking decision).
 */
import pg from "pg";
import { generateSecret } from "../lib/secrets/secret-format.ts";

export interface SeedResult {
  /** Demo secrets created by this run (empty when everything already existed). */
  secrets: { label: string; value: string }[];
  /** What the demo data is for, printed in the dev banner. */
  notes: string[];
}

const PARTNERS = [
  // carol@globex.test (local IdP) joins this approved partner at first sign-in and sees the dashboard.
  { id: "seed_partner_globex", name: "Globex Corporation", status: "approved", provider: "google", organization: "globex.test", domain: "globex.test", reason: null },
  { id: "seed_partner_umbrella", name: "Umbrella Corporation", status: "pending_approval", provider: "google", organization: "umbrella.test", domain: "umbrella.test", reason: null },
  { id: "seed_partner_initech", name: "Initech", status: "rejected", provider: "google", organization: "initech.test", domain: "initech.test", reason: "Not a reseller of ours." },
] as const;

/**
 * Seeds demo data.
 * @param databaseUrl a migrated database
 * @param appUrl      the app's origin, for printed portal links
 */
export async function seedDemoData(databaseUrl: string, appUrl = "http://localhost:3000"): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    for (const p of PARTNERS) {
      await client.query(
        `INSERT INTO partners (id, name, status, idp_provider, idp_organization, primary_domain, approved_at, rejected_at, rejection_reason, updated_at)
         VALUES ($1, $2, $3::"PartnerStatus", $4, $5, $6, CASE WHEN $3 = 'approved' THEN now() END, CASE WHEN $3 = 'rejected' THEN now() END, $7, now())
         ON CONFLICT DO NOTHING`,
        [p.id, p.name, p.status, p.provider, p.organization, p.domain, p.reason],
      );
    }
    // Entra users of contoso.test are approved at their first sign-in (the allowlist at work).
    await client.query(
      `INSERT INTO allowlist_entries (id, kind, value) VALUES ('seed_allow_contoso', 'email_domain', 'contoso.test') ON CONFLICT DO NOTHING`,
    );
    const secrets: SeedResult["secrets"] = [];
    // A service for Globex: client credentials shown once, when first created.
    const oauthSecret = generateSecret("gcs");
    const oauth = await client.query(
      `INSERT INTO oauth_clients (id, client_id, name, partner_id, secret_digest, secret_prefix, allowed_scopes, default_scopes, grant_types, updated_at)
       VALUES ('seed_oauth_globex', 'gc_demo_globex_chat', 'Globex chat service', 'seed_partner_globex', $1, $2,
               ARRAY['groups:read','members:read','mcp:tools'], ARRAY['groups:read','members:read'], ARRAY['client_credentials'], now())
       ON CONFLICT DO NOTHING`,
      [oauthSecret.digest, oauthSecret.displayPrefix],
    );
    if (oauth.rowCount === 1) secrets.push({ label: "OAuth client gc_demo_globex_chat secret", value: oauthSecret.secret });
    // A client of Globex with a project, and a portal link shown once.
    await client.query(
      `INSERT INTO clients (id, partner_id, name, slug, updated_at) VALUES ('seed_client_wayne', 'seed_partner_globex', 'Wayne Enterprises', 'wayne-enterprises', now()) ON CONFLICT DO NOTHING`,
    );
    await client.query(
      `INSERT INTO projects (id, partner_id, client_id, name, status, notes, start_date, due_date, updated_at)
       VALUES ('seed_project_wayne_network', 'seed_partner_globex', 'seed_client_wayne', 'Network refresh', 'active', 'Switches arrive next week.', current_date - 14, current_date + 30, now())
       ON CONFLICT DO NOTHING`,
    );
    const link = generateSecret("gpl");
    const linkRow = await client.query(
      `INSERT INTO client_access_tokens (id, client_id, label, token_digest) VALUES ('seed_link_wayne', 'seed_client_wayne', 'Demo link', $1) ON CONFLICT DO NOTHING`,
      [link.digest],
    );
    if (linkRow.rowCount === 1) secrets.push({ label: "Portal link for Wayne Enterprises", value: `${appUrl}/portal/enter/${link.secret}` });
    await client.query("COMMIT");
    return {
      secrets,
      notes: [
        "alice@acme.test signs up acme.test → pending approval (approve it as admin@fabrikam.test)",
        "erin@contoso.test → auto-approved (contoso.test is on the allowlist)",
        "carol@globex.test → joins Globex Corporation (approved) and sees the dashboard",
      ],
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set (run `npm run dev`, or set it).");
    process.exit(1);
  }
  const result = await seedDemoData(url);
  console.log(JSON.stringify({ seeded: true, secrets: result.secrets.length }));
}
