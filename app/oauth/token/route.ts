import { route } from "@/lib/http/route";
import { handleTokenRequest } from "@/lib/oauth/endpoints";

export const dynamic = "force-dynamic";
export const POST = route("oauth", (request, _context, meta) => handleTokenRequest(request, meta));
