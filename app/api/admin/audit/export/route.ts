import { ADMIN_API } from "@/lib/auth/policies";
import { AUDIT_CSV_COLUMNS, auditEventCsvLine, csvLine } from "@/lib/audit/csv";
import { parseAuditSearch, streamAuditEventsAsAdmin } from "@/lib/audit/search";
import { route } from "@/lib/next/route";

export const dynamic = "force-dynamic";

/**
 * Admin: the audit events matching the same filters as `GET /api/admin/audit` (without cursor and limit), as a CSV
 * download, streamed: rows are fetched in keyset batches as the client reads, so memory stays flat. Bad filters
 * are refused (400) before the first byte; anyone else gets 404.
 */
export const GET = route(ADMIN_API, async (request, { principal }) => {
  const filters = Object.fromEntries(new URL(request.url).searchParams);
  delete filters.cursor;
  delete filters.limit;
  parseAuditSearch(filters); // a 400 now, not a broken download later
  const events = streamAuditEventsAsAdmin(principal.admin, filters);
  const encoder = new TextEncoder();
  let headerSent = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(AUDIT_CSV_COLUMNS)));
        return;
      }
      // One keyset batch per pull: the stream asks for more only as the client reads.
      let chunk = "";
      for (let i = 0; i < 200; i++) {
        const next = await events.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += auditEventCsvLine(next.value);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="gatehouse-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
