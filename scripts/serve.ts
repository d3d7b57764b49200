/**
 * The production server process (`npm start` runs it after its checks; the hostile, e2e and bench layers start it
 * the same way): one `node:http` server on one port. The machine endpoints go to their route handlers directly
 * (scripts/lib/fast-lane.ts); everything else to Next.js, in this same process (Next's documented custom-server
 * API on the production build). Run with the TypeScript loader and the server preload:
 * `node --import tsx --import scripts/server-preload.mjs scripts/serve.ts --port 3000 [--hostname 0.0.0.0]`.
 *
 * Exit: on SIGTERM/SIGINT it stops accepting connections and exits once open requests have finished (or after 10 s).
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { ROOT } from "./lib/env-files.ts";
import { preloadFastLane, rootLayoutStylesheets, serveFastLane } from "./lib/fast-lane.ts";
import { flushApiKeyUsage } from "../lib/api-keys/api-keys.ts";
import { flushRateLimitCounts } from "../lib/rate-limit/rate-limit.ts";
import { startSyncWorker } from "../lib/integrations/sync.ts";
import { setPageStylesheets } from "../lib/next/page-document.ts";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(argument("port") ?? process.env.PORT ?? 3000);
// Not $HOSTNAME: shells and containers set it to the machine's name.
const hostname = argument("hostname") ?? "0.0.0.0";
const origin = (process.env.AUTH_URL ?? `http://localhost:${port}`).replace(/\/+$/, "");

// Build-time switches (next.config.mjs `env`) are inlined into Next's bundles; the fast lane's handlers run from
// source, so they get the same values from the build's own record, whatever this process's environment says (the
// bench-only route must stay a 404 in every build not made for the benchmark).
const distDir = process.env.NEXT_DIST_DIR || ".next";
const built = JSON.parse(readFileSync(path.join(ROOT, distDir, "required-server-files.json"), "utf8")) as { config: { env?: Record<string, string> } };
for (const [name, value] of Object.entries(built.config.env ?? {})) process.env[name] = value;

// The root layout's stylesheet, for the pages the fast lane renders itself (lib/next/page-document.ts).
setPageStylesheets(rootLayoutStylesheets(path.join(ROOT, distDir)));

const app = next({ dev: false, dir: ROOT, hostname, port });
const [handle] = await Promise.all([app.prepare().then(() => app.getRequestHandler()), preloadFastLane()]);

const server = http.createServer((req, res) => {
  serveFastLane(req, res, origin)
    .then((served) => (served ? undefined : handle(req, res)))
    .catch((error: unknown) => {
      // The route wrapper answers every error itself; this is a bug or a broken connection.
      console.error("[gatehouse] request failed outside the route wrapper:", error instanceof Error ? error.message : error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end('{"error":"server_error","message":"Internal server error."}');
      else res.destroy();
    });
});
// Next's own production server keeps idle keep-alive connections this long (ms); load balancers expect it.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => console.log(`[gatehouse] listening on http://${hostname}:${port}`));
// Every instance works the integration sync queue (lib/integrations/sync.ts); GATEHOUSE_SYNC_WORKER=off leaves it to others.
const worker = process.env.GATEHOUSE_SYNC_WORKER === "off" ? null : startSyncWorker();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // API-key uses and rate-limit hits are counted in memory and written every second / quarter second: write the
    // last ones before leaving.
    // A running sync goes back to the queue for another instance.
    server.close(() => void Promise.allSettled([flushApiKeyUsage(), flushRateLimitCounts(), worker?.stop()]).finally(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
