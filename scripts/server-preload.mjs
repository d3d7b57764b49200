/**
 * Loaded with `node --import` into every Gatehouse server process (`npm start`, and the test and bench servers):
 * appends the TCP peer address to `X-Forwarded-For` before Next.js sees the request, as a reverse proxy would, so
 * lib/rate-limit/client-ip.ts can tell the client's own entries from the ones our proxies (TRUSTED_PROXY_HOPS) and
 * this process added. Uses Node's documented `http.server.request.start` diagnostics channel (published right
 * before the `request` event), not a patched server. Plain JavaScript: it runs before any TypeScript loader.
 */
import diagnosticsChannel from "node:diagnostics_channel";

diagnosticsChannel.subscribe("http.server.request.start", ({ request, socket }) => {
  const peer = socket?.remoteAddress ?? "unknown";
  const sent = request.headers["x-forwarded-for"];
  request.headers["x-forwarded-for"] = sent ? `${sent}, ${peer}` : peer;
});
process.env.GATEHOUSE_PEER_APPENDED = "1";
