import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { protectedResourceMetadataResponse } from "@/lib/mcp/metadata";

export const dynamic = "force-dynamic";
export const GET = route(PUBLIC_API, () => protectedResourceMetadataResponse());
