import path from "node:path";
import { defineConfig } from "vitest/config";

// Two layers (docs/STYLE.md §7): unit tests beside the code, integration tests against real PostgreSQL.
// The integration project's global setup starts embedded PostgreSQL unless DATABASE_URL is set.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts", "scripts/**/*.test.ts"], environment: "node", env: { LOG_LEVEL: "silent" } },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/integration/global-setup.ts"],
          env: { LOG_LEVEL: "silent" },
          // next-auth imports `next/server` without an extension; inlined, vite resolves it (partner-invitations.test.ts).
          server: { deps: { inline: ["next-auth"] } },
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "hostile",
          include: ["tests/hostile/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/hostile/global-setup.ts"],
          env: { LOG_LEVEL: "silent" },
          // next-auth imports `next/server` without an extension; inlined, vite resolves it (concurrency.test.ts).
          server: { deps: { inline: ["next-auth"] } },
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
