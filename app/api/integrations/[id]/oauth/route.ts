import { INTEGRATIONS_OAUTH_API } from "@/lib/auth/policies";
import { beginProviderConsent } from "@/lib/integrations/connect";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Starts the provider's consent for a Google Workspace, Okta or Entra ID integration: answers
 * `{ authorization_url }` for the browser to open (authorization code with PKCE S256; the state is single-use, lives
 * 10 minutes and is bound to this browser session). Owners and admins, by session only.
 */
export const POST = route(
  INTEGRATIONS_OAUTH_API,
  async (_request, { principal, params }) => Response.json({ authorization_url: await beginProviderConsent(principal, params.id) }),
  { params: ["id"] },
);
