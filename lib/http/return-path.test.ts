import { describe, expect, it } from "vitest";
import { safeReturnPath } from "@/lib/http/return-path";

describe("safeReturnPath", () => {
  it("keeps the app's own paths, query and fragment included", () => {
    expect(safeReturnPath("/partner/groups?page=2#top")).toBe("/partner/groups?page=2#top");
    expect(safeReturnPath("/admin/partners")).toBe("/admin/partners");
  });

  it("refuses paths a browser would turn into another origin", () => {
    for (const value of ["//evil.example", "/\\evil.example", "/%09/evil.example", "/\t/evil.example", "/%0a/evil.example", "/%2f/evil.example", "/%5c/evil.example", "/\u0000/x", "https://evil.example/", "evil.example", "/%E0%A4%A", "/.//evil.example", "/a/..//evil.example", "/%2e%2e//evil.example"]) {
      expect(safeReturnPath(value, "/fallback"), JSON.stringify(value)).toBe("/fallback");
    }
  });

  it("falls back for nothing at all", () => {
    expect(safeReturnPath(undefined)).toBe("/me");
    expect(safeReturnPath("")).toBe("/me");
  });
});
