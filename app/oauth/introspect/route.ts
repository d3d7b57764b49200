import { route } from "@/lib/http/route";
import { handleIntrospectionRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";
export const POST = route("oauth", handleIntrospectionRequest);
