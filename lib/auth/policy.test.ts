import { describe, expect, it } from "vitest";
import { definePolicy } from "@/lib/auth/policy";

describe("definePolicy", () => {
  it("refuses a public policy that names a role, a partner rule or scopes (they would be ignored)", () => {
    // @ts-expect-error -- the type refuses it too (npm run typecheck fails if it ever stops refusing)
    expect(() => definePolicy({ accept: "public", role: "admin", errors: "json" })).toThrow(/public policy cannot demand/);
    // @ts-expect-error -- scopes on a public policy
    expect(() => definePolicy({ accept: "public", scopes: ["groups:read"], errors: "json" })).toThrow(/public policy/);
  });

  it("freezes what it declares", () => {
    const policy = definePolicy({ accept: ["user"], role: "admin", errors: "json" });
    expect(Object.isFrozen(policy)).toBe(true);
  });
});
