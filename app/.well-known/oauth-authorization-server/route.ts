import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { authorizationServerMetadata } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";

export const GET = route(PUBLIC_API, () => Response.json(authorizationServerMetadata(), { headers: { "Cache-Control": "public, max-age=300" } }));
