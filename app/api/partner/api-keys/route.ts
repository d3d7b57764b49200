import { PARTNER_KEYS_API } from "@/lib/auth/policies";
import { listPartnerApiKeys } from "@/lib/api-keys/api-keys";
import { partnerApiKeyJson } from "@/lib/api-keys/wire";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** Every key of the caller's partner, its OAuth clients' included, with owner, prefix, usage and status (owners and admins). */
export const GET = route(PARTNER_KEYS_API, async (_request, { principal }) => Response.json({ api_keys: (await listPartnerApiKeys(principal.partnerId)).map(partnerApiKeyJson) }));
