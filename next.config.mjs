/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Lets e2e tests and the benchmark build beside a developer's own `.next`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  reactStrictMode: true,
  // Inlined at BUILD time: only `npm run bench` builds with GATEHOUSE_BENCH_BUILD=1, which turns on the bench-only
  // app/api/bench/mcp-ungated route; in every other build that route is a constant 404.
  env: { GATEHOUSE_BENCH_BUILD: process.env.GATEHOUSE_BENCH_BUILD ?? "" },
  // forbidden() renders app/forbidden.tsx with a real 403 status (admin pages seen by partner users).
  // Server actions are small forms: Next reads their bodies before an action's policy runs, so keep that small.
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "128kb" } },
  // Server-only packages that must not be bundled (native pg bindings are optional; pino uses worker threads).
  serverExternalPackages: ["pino", "pg", "@prisma/client", "@prisma/adapter-pg"],
};

export default nextConfig;
