import { PUBLIC_API } from "@/lib/auth/policies";
import { route } from "@/lib/next/route";
import { protectedResourceMetadataResponse } from "@/lib/mcp/metadata";

export const dynamic = "force-dynamic";

/** The root variant (RFC 9728 §3): clients that strip the resource path find the same metadata. */
export const GET = route(PUBLIC_API, () => protectedResourceMetadataResponse());
