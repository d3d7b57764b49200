import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Runs `scripts/start.ts` as `npm start` does, with the given NODE_ENV (undefined: unset), and no migrations. */
async function start(nodeEnv: string | undefined): Promise<{ code: number; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, MIGRATE_ON_START: "false", LOG_LEVEL: "silent" };
  for (const name of ["NODE_ENV", "AUTH_SECRET", "PORTAL_SESSION_PASSWORD", "AUTH_URL", "SMTP_URL", "LOCAL_IDP_URL"]) delete env[name];
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  try {
    const { stderr } = await run(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "scripts", "start.ts")], { cwd: ROOT, env: env as NodeJS.ProcessEnv, timeout: 60_000 });
    return { code: 0, stderr };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe("npm start", () => {
  it("refuses NODE_ENV=development (it would fill in the development defaults) and names NODE_ENV", async () => {
    const result = await start("development");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/refusing to start\. NODE_ENV is "development"/);
  });

  it("treats an unset NODE_ENV as production and refuses the missing production secrets", async () => {
    const result = await start(undefined);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refusing to start/);
    expect(result.stderr).toMatch(/AUTH_SECRET: is required in production/);
  });
});
