import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { getJwks } from "@/lib/oauth/signing-keys";

export const dynamic = "force-dynamic";

/** RFC 7517 JWK Set: every published, unexpired access-token verification key. Cacheable for a minute. */
export const GET = route(PUBLIC_API, async () =>
  Response.json(await getJwks(), { headers: { "Cache-Control": "public, max-age=60", "Content-Type": "application/jwk-set+json" } }),
);
