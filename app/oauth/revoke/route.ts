import { route } from "@/lib/http/route";
import { handleRevocationRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";
export const POST = route("oauth", handleRevocationRequest);
