/**
 * CSV for the audit export (RFC 4180), safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`
 * (or a tab or carriage return) would be read as a formula (OWASP "CSV Injection"), so it is prefixed with `'`.
 */
import type { AuditEventView } from "@/lib/audit/search";

/** The export's columns, in order. */
export const AUDIT_CSV_COLUMNS = ["occurred_at", "id", "action", "actor_type", "actor_id", "actor_email", "partner_id", "partner_name", "target_type", "target_id", "ip", "metadata"] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised when it could start a formula, quoted when it holds a quote, comma or line break. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (CRLF-terminated, RFC 4180 §2). */
export function csvLine(cells: readonly (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** An audit event as a CSV line, in `AUDIT_CSV_COLUMNS` order. */
export function auditEventCsvLine(event: AuditEventView): string {
  return csvLine([
    event.occurredAt.toISOString(),
    event.id,
    event.action,
    event.actorType,
    event.actorId,
    event.actorEmail,
    event.partnerId,
    event.partnerName,
    event.targetType,
    event.targetId,
    event.ip,
    JSON.stringify(event.metadata ?? {}),
  ]);
}
