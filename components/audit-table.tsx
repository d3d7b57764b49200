import Link from "next/link";
import { formatDateTime } from "@/components/format";
import type { AuditEventView } from "@/lib/audit/search";

/** Where an audit target has an admin page. */
function targetHref(type: string | null, id: string | null): string | null {
  if (!type || !id) return null;
  if (type === "partner") return `/admin/partners/${encodeURIComponent(id)}`;
  if (type === "user") return `/admin/audit?actor=${encodeURIComponent(id)}`;
  return null;
}

/** Audit events as a table: each row links to its partner and, where there is a page, its target. */
export function AuditTable({ events, label }: { events: AuditEventView[]; label: string }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table aria-label={label} className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-slate-600">
          <tr>
            <th className="px-3 py-2 font-medium">When</th>
            <th className="px-3 py-2 font-medium">Action</th>
            <th className="px-3 py-2 font-medium">Actor</th>
            <th className="px-3 py-2 font-medium">Partner</th>
            <th className="px-3 py-2 font-medium">Target</th>
            <th className="px-3 py-2 font-medium">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const href = targetHref(event.targetType, event.targetId);
            const target = event.targetType ? `${event.targetType} ${event.targetId ?? ""}` : "—";
            return (
              <tr key={event.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
                <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatDateTime(event.occurredAt)}</td>
                <td className="px-3 py-2 font-mono text-xs">{event.action}</td>
                <td className="px-3 py-2">{event.actorEmail ?? (event.actorId ? `${event.actorType} ${event.actorId}` : event.actorType)}</td>
                <td className="px-3 py-2">
                  {event.partnerId ? (
                    <Link className="text-brand-700 hover:underline" href={`/admin/partners/${encodeURIComponent(event.partnerId)}`}>
                      {event.partnerName ?? event.partnerId}
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="px-3 py-2 font-mono text-xs">
                  {href ? (
                    <Link className="text-brand-700 hover:underline" href={href}>
                      {target}
                    </Link>
                  ) : (
                    target
                  )}
                </td>
                <td className="max-w-xs truncate px-3 py-2 font-mono text-xs text-slate-600" title={JSON.stringify(event.metadata)}>
                  {JSON.stringify(event.metadata) === "{}" ? "" : JSON.stringify(event.metadata)}
                  {event.ip ? ` ${event.ip}` : ""}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
