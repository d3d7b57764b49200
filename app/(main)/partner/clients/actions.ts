"use server";

import type { ActionResult } from "@/components/confirm-action";
import { MEMBER_ACTION } from "@/lib/auth/policies";
import { formField as field, runAction, type Outcome } from "@/lib/next/actions";
import { createClient, issueAccessLink, revokeAccessLink, setClientActive } from "@/lib/portal/clients";
import { createProject, linkProjectToClient } from "@/lib/portal/projects";

/** Members of an approved partner, in their own tenant (MEMBER_ACTION); re-renders /partner/clients, /partner/projects after success. */
const memberAction = (run: (context: { partnerId: string; actor: { type: "user"; id: string } }) => Promise<Outcome>) =>
  runAction(MEMBER_ACTION, (member) => run({ partnerId: member.partnerId, actor: { type: "user", id: member.userId } }), ["/partner/clients", "/partner/projects"]);

export async function createClientAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => `Created ${(await createClient(partnerId, { name: field(form, "name") }, actor)).name}.`);
}

export async function issueLinkAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const email = field(form, "email");
    const { url, link } = await issueAccessLink(partnerId, field(form, "clientId"), { label: field(form, "label"), expires_in_days: field(form, "expires_in_days") || undefined, email }, actor);
    return { message: `Link "${link.label}" created${email ? ` and emailed to ${email}` : ""}; it expires ${link.expiresAt?.toISOString().slice(0, 10) ?? "never"}.`, secret: url };
  });
}

export async function revokeLinkAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => `Revoked "${(await revokeAccessLink(partnerId, field(form, "accessTokenId"), actor)).label}".`);
}

export async function setClientActiveAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const active = field(form, "active") === "true";
    const client = await setClientActive(partnerId, field(form, "clientId"), active, actor);
    return `${client.name} is ${active ? "active again" : "deactivated"}.`;
  });
}

export async function linkProjectAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const project = await linkProjectToClient(partnerId, field(form, "projectId"), field(form, "clientId") || null, actor);
    return project.client ? `Linked ${project.name} to ${project.client.name}.` : `${project.name} has no client now.`;
  });
}

export async function createProjectAction(_: ActionResult, form: FormData): Promise<ActionResult> {
  return memberAction(async ({ partnerId, actor }) => {
    const project = await createProject(
      partnerId,
      {
        name: field(form, "name"),
        status: field(form, "status") || undefined,
        description: field(form, "description") || null,
        notes: field(form, "notes") || null,
        start_date: field(form, "start_date"),
        due_date: field(form, "due_date"),
        client_id: field(form, "client_id") || null,
      },
      actor,
    );
    return `Created ${project.name}.`;
  });
}
