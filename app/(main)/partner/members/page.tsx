import type { Metadata } from "next";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { SimpleActionForm } from "@/components/simple-action-form";
import { memberPage } from "@/lib/auth/policies";
import { page, loadPageData } from "@/lib/next/pages";
import { listInvitations } from "@/lib/partners/invitations";
import { listPartnerMembers } from "@/lib/partners/partner";
import { changeRoleAction, endMemberSessionsAction, inviteMemberAction, removeMemberAction, revokeInvitationAction, transferOwnershipAction } from "./actions";

export const metadata: Metadata = { title: "Members" };

const PAGE_SIZE = 50;

export default page(
  memberPage("/partner/members"),
  async ({ principal: user, searchParams }) => {
    const pageNumber = Math.min(Math.max(Number.parseInt(searchParams.page ?? "1", 10) || 1, 1), 10_000);
    const { members, total, invitations } = await loadPageData("/partner/members", async () => {
      const [list, open] = await Promise.all([listPartnerMembers(user.partnerId, { page: pageNumber, pageSize: PAGE_SIZE }), listInvitations(user.partnerId, { pageSize: 100 })]);
      return { ...list, invitations: open.invitations };
    });
    const manages = user.partnerRole === "owner" || user.partnerRole === "admin";
    const isOwner = user.partnerRole === "owner";
    return (
      <div className="space-y-6">
        <h1 className="text-2xl font-bold tracking-tight">Members</h1>
        <p className="max-w-3xl text-slate-700">
          Owners and admins invite people, change roles and remove members. Removing someone signs them out everywhere and revokes their API keys at once.
        </p>
        {manages ? (
          <SimpleActionForm action={inviteMemberAction} submitLabel="Send invitation" pendingLabel="Inviting…">
            <label className="text-sm">
              <span className="block text-slate-700">Email to invite</span>
              <input name="email" type="email" required maxLength={254} className="mt-1 w-72 rounded-md border border-slate-300 px-2 py-1.5" />
            </label>
            <label className="text-sm">
              <span className="block text-slate-700">Role</span>
              <select name="role" defaultValue="member" className="mt-1 rounded-md border border-slate-300 px-2 py-1.5">
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            </label>
          </SimpleActionForm>
        ) : null}
        <ul className="space-y-3" aria-label="Members">
          {members.map((member) => {
            const self = member.id === user.userId;
            const mayTouch = manages && (member.partnerRole !== "owner" || isOwner);
            return (
              <li key={member.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid={`member-${member.email ?? member.id}`}>
                <div className="flex flex-wrap items-start justify-between gap-4">
                  <div className="space-y-1 text-sm">
                    <p className="text-base font-semibold">
                      {member.name ?? member.email ?? member.id} {self ? <span className="text-slate-500">(you)</span> : null}
                      <span className="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs">{member.partnerRole}</span>
                    </p>
                    <p className="text-slate-600">
                      {member.email ?? "no verified email"} · last sign-in {formatDateTime(member.lastSignInAt)}
                    </p>
                  </div>
                  {mayTouch ? (
                    <div className="flex flex-wrap items-start gap-2">
                      {(["owner", "admin", "member"] as const)
                        .filter((role) => role !== member.partnerRole && (role !== "owner" || isOwner))
                        .map((role) => (
                          <ConfirmAction
                            key={role}
                            action={changeRoleAction}
                            fields={{ userId: member.id, role }}
                            label={`Make ${role}`}
                            confirmLabel={`Confirm: make ${role}`}
                            prompt={`Make ${member.email ?? "this member"} ${role === "owner" ? "an owner (a second owner; use Transfer ownership to hand over)" : `a${role === "admin" ? "n" : ""} ${role}`}?`}
                          />
                        ))}
                      {isOwner && !self ? (
                        <ConfirmAction
                          action={transferOwnershipAction}
                          fields={{ userId: member.id }}
                          label="Transfer ownership"
                          confirmLabel="Confirm transfer"
                          prompt={`Make ${member.email ?? "this member"} the owner? You become an admin.`}
                        />
                      ) : null}
                      {!self ? (
                        <ConfirmAction
                          action={endMemberSessionsAction}
                          fields={{ userId: member.id }}
                          label="Sign out everywhere"
                          confirmLabel="Confirm sign-out"
                          prompt={`End every session of ${member.email ?? "this member"}? They must sign in again.`}
                        />
                      ) : null}
                      <ConfirmAction
                        action={removeMemberAction}
                        fields={{ userId: member.id }}
                        label={self ? "Leave" : "Remove"}
                        confirmLabel={self ? "Confirm leave" : "Confirm remove"}
                        prompt={`${self ? "Leave this organisation" : `Remove ${member.email ?? "this member"}`}? Their sessions end and their API keys are revoked now.`}
                        tone="danger"
                      />
                    </div>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
        <Pagination page={pageNumber} pageSize={PAGE_SIZE} total={total} hrefFor={(p) => `/partner/members?page=${p}`} />
        <section className="space-y-3">
          <h2 className="text-lg font-semibold">Pending invitations</h2>
          {invitations.length === 0 ? (
            <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">No pending invitations.</p>
          ) : (
            <ul className="space-y-2" aria-label="Pending invitations">
              {invitations.map((invitation) => (
                <li key={invitation.id} className="flex flex-wrap items-start justify-between gap-4 rounded-xl border border-slate-200 bg-white p-4 text-sm" data-testid={`invitation-${invitation.email}`}>
                  <span>
                    <span className="font-medium">{invitation.email}</span> as {invitation.role} · {invitation.status === "expired" ? "expired" : `expires ${formatDateTime(invitation.expiresAt)}`}
                  </span>
                  {manages ? (
                    <ConfirmAction
                      action={revokeInvitationAction}
                      fields={{ invitationId: invitation.id }}
                      label="Revoke"
                      confirmLabel="Confirm revoke"
                      prompt={`Revoke the invitation to ${invitation.email}?`}
                      tone="danger"
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    );
  },
  { searchParams: ["page"] },
);
