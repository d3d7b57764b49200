import { ConfirmAction } from "@/components/confirm-action";
import type { PartnerStatus } from "@/lib/partners/approval";
import { approvePartnerAction, rejectPartnerAction, reinstatePartnerAction, suspendPartnerAction } from "./actions";

/** The approval state machine's buttons for one partner, each behind a confirmation (list and detail pages). */
export function PartnerStatusActions({ partner }: { partner: { id: string; name: string; status: PartnerStatus } }) {
  return (
    <div className="flex flex-wrap gap-2">
      {partner.status === "pending_approval" ? (
        <>
          <ConfirmAction action={approvePartnerAction} fields={{ partnerId: partner.id }} label="Approve" confirmLabel="Confirm approval" prompt={`Approve ${partner.name}? Its members get the partner dashboard and API, and the owner is emailed.`} />
          <ConfirmAction action={rejectPartnerAction} fields={{ partnerId: partner.id }} label="Reject" confirmLabel="Confirm rejection" prompt={`Reject ${partner.name}? The owner is emailed the reason.`} reasonLabel="Reason (shown to the partner)" tone="danger" />
        </>
      ) : null}
      {partner.status === "approved" ? (
        <ConfirmAction action={suspendPartnerAction} fields={{ partnerId: partner.id }} label="Suspend" confirmLabel="Confirm suspension" prompt={`Suspend ${partner.name}? Every member is signed out at once and its API keys stop working.`} reasonLabel="Reason" tone="danger" />
      ) : null}
      {partner.status === "suspended" ? <ConfirmAction action={reinstatePartnerAction} fields={{ partnerId: partner.id }} label="Reinstate" confirmLabel="Confirm reinstatement" prompt={`Reinstate ${partner.name}?`} /> : null}
    </div>
  );
}
