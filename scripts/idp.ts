/**
 * Runs the local Google Workspace / Microsoft Entra ID test issuers until SIGINT or SIGTERM.
 *
 *   npx tsx scripts/idp.ts --port 4010 --origin http://localhost:3000 [--origin http://127.0.0.1:3000] [--host 127.0.0.1]
 *
 * Prints the issuer URLs, the client credentials an Auth.js provider needs, and the test users.
 */
import { parseArgs } from "node:util";
import { LOCAL_IDP_CLIENTS, LOCAL_IDP_USERS, startLocalIdp } from "./lib/local-idp.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    origin: { type: "string", multiple: true, default: ["http://localhost:3000"] },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer 0-65535, got "${values.port}"`);
  process.exit(2);
}

const idp = await startLocalIdp({ port, host: values.host, redirectOrigins: values.origin });

console.log(`Local identity providers on ${idp.url} (redirects allowed to ${values.origin.join(", ")})

Google Workspace   issuer ${idp.googleIssuer}
                   client ${LOCAL_IDP_CLIENTS.google.clientId}  secret ${LOCAL_IDP_CLIENTS.google.clientSecret}
Microsoft Entra ID issuer ${idp.entraIssuer}
                   client ${LOCAL_IDP_CLIENTS.entra.clientId}  secret ${LOCAL_IDP_CLIENTS.entra.clientSecret}

Test users:`);
for (const user of LOCAL_IDP_USERS) {
  const extra = user.provider === "google" ? `hd=${user.hd ?? "-"}` : `tid=${user.tid} oid=${user.oid}`;
  console.log(`  ${user.provider.padEnd(18)} ${user.email.padEnd(22)} ${extra}  ${user.description}`);
}
console.log("\nCtrl-C to stop.");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping local identity providers`);
  await idp.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
