import { describe, expect, it } from "vitest";
import { GET } from "@/app/unavailable/route";
import { safeReturnPath } from "@/lib/http/return-path";

describe("the database-outage page", () => {
  it("answers 503 HTML with Retry-After and a link back to the page", async () => {
    const response = await GET(new Request("http://localhost:3000/unavailable?next=%2Fpartner%2Fdashboard"), {});
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("Gatehouse is temporarily unavailable");
    expect(html).toContain('href="/partner/dashboard"');
  });

  it("never links off-site (no open redirect through ?next=)", async () => {
    for (const next of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"]) {
      const html = await (await GET(new Request(`http://localhost:3000/unavailable?next=${encodeURIComponent(next)}`), {})).text();
      expect(html).toContain('href="/"');
    }
    expect(safeReturnPath("/admin/partners?tab=pending")).toBe("/admin/partners?tab=pending");
  });
});
