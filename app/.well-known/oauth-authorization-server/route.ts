import { route } from "@/lib/http/route";
import { authorizationServerMetadata } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";

export const GET = route("json", () => Response.json(authorizationServerMetadata(), { headers: { "Cache-Control": "public, max-age=300" } }));
