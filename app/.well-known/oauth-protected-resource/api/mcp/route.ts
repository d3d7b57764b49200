import { route } from "@/lib/http/route";
import { protectedResourceMetadataResponse } from "@/lib/mcp/metadata";

export const dynamic = "force-dynamic";
export const GET = route("json", () => protectedResourceMetadataResponse());
