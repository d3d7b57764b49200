"use server";

import type { ActionResult } from "@/components/confirm-action";
import { formField as field, runAsPartnerMember } from "@/lib/http/actions";
import { createClient, issueAccessLink, revokeAccessLink, setClientActive } from "@/lib/portal/clients";
import { createProject, linkProjectToClient } from "@/lib/portal/projects";

const memberAction = (run: Parameters<typeof runAsPartnerMember>[0]) => runAsPartnerMember(run, ["/partner/clients", "/partner/projects"]);

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
