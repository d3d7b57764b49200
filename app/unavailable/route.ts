import { PUBLIC_API } from "@/lib/auth/policies";
import { htmlPage } from "@/lib/http/html-pages";
import { safeReturnPath } from "@/lib/http/return-path";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/** The page a browser sees while PostgreSQL is unreachable: 503 with Retry-After, and a link back. */
export const GET = route(PUBLIC_API, (request) =>
  htmlPage(503, "Gatehouse is temporarily unavailable", ["We cannot reach our database right now. Nothing you did caused this, and no data was lost."], {
    headers: { "Retry-After": "5" },
    link: { href: safeReturnPath(new URL(request.url).searchParams.get("next"), "/"), text: "Try again in a few seconds" },
  }),
);
