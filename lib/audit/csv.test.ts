import { describe, expect, it } from "vitest";
import { auditEventCsvLine, csvCell, csvLine } from "./csv";

describe("audit CSV", () => {
  it("prefixes cells that a spreadsheet would run as formulas", () => {
    for (const formula of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]) expect(csvCell(formula).replace(/^"/, "").startsWith("'")).toBe(true);
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell("partner.approved")).toBe("partner.approved");
  });

  it("quotes commas, quotes and line breaks, and leaves nulls empty", () => {
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvLine(["a", null, undefined, "b c"])).toBe("a,,,b c\r\n");
  });

  it("writes one event as one line with its metadata as JSON", () => {
    const line = auditEventCsvLine({
      id: "00000000-0000-4000-8000-000000000001",
      occurredAt: new Date("2026-11-30T08:00:00.000Z"),
      action: "partner.rejected",
      actorType: "user",
      actorId: "u1",
      actorEmail: "ops@example.test",
      partnerId: "p1",
      partnerName: "=Evil, Inc.",
      targetType: "partner",
      targetId: "p1",
      ip: null,
      metadata: { reason: "no" },
    });
    expect(line).toBe(`2026-11-30T08:00:00.000Z,00000000-0000-4000-8000-000000000001,partner.rejected,user,u1,ops@example.test,p1,"'=Evil, Inc.",partner,p1,,"{""reason"":""no""}"\r\n`);
  });
});
