/** Which connector reads which provider (lib/integrations/types.ts `Connector`). */
import { awsConnector } from "@/lib/integrations/aws";
import { entraConnector } from "@/lib/integrations/entra";
import { googleConnector } from "@/lib/integrations/google";
import { oktaConnector } from "@/lib/integrations/okta";
import type { Connector, IntegrationProvider } from "@/lib/integrations/types";

const CONNECTORS: Record<IntegrationProvider, Connector> = { aws: awsConnector, google: googleConnector, okta: oktaConnector, entra: entraConnector };

/** The connector for `provider`. */
export function connectorFor(provider: IntegrationProvider): Connector {
  return CONNECTORS[provider];
}
