import { route } from "@/lib/http/route";
import { getJwks } from "@/lib/oauth/signing-keys";

export const dynamic = "force-dynamic";

/** RFC 7517 JWK Set: every published, unexpired access-token verification key. Cacheable for a minute. */
export const GET = route("json", async () =>
  Response.json(await getJwks(), { headers: { "Cache-Control": "public, max-age=60", "Content-Type": "application/jwk-set+json" } }),
);
