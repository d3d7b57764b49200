import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const README = readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");

/** The README's ServiceTokenManager example (the ts block that constructs one). */
function tokenManagerExample(): string {
  const block = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes("new ServiceTokenManager"));
  if (!block) throw new Error("README has no ServiceTokenManager example");
  return block;
}

describe("README ServiceTokenManager example", () => {
  it("encodes every interpolated path segment of the membership URL", () => {
    const url = tokenManagerExample().match(/`https:\/\/gatehouse\.example\.com\/api\/auth\/groups\/[^`]*`/)?.[0];
    expect(url).toBeDefined();
    const interpolations = [...url!.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
    expect(interpolations.length).toBe(2);
    for (const expression of interpolations) expect(expression).toMatch(/^encodeURIComponent\(/);
  });

  it("checks the JSON body's member: true, not only the status", () => {
    expect(tokenManagerExample()).toMatch(/\.member !== true|\.member === true/);
  });
});
