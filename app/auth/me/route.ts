import { definePolicy } from "@/lib/auth/policy";
import { describeCaller } from "@/lib/auth/whoami";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * A member's session, an API key or a service access token for the API (RFC 6750 errors). No scope: a credential
 * may always learn who it is, and the answer names nothing beyond the caller and its own tenant.
 */
const WHOAMI = definePolicy({ accept: ["user", "api_key", "service"], partner: "approved", resource: "api", errors: "bearer" });

/** Who the credential is: `{ kind: "user" | "api_key" | "service", …, partner: { id, name } }` (lib/auth/whoami.ts). */
export const GET = route(WHOAMI, async (_request, { principal }) => Response.json(await describeCaller(principal), { headers: { "Cache-Control": "no-store" } }));
