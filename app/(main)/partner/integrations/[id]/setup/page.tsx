import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CopyBlock } from "@/components/copy-block";
import { SimpleActionForm } from "@/components/simple-action-form";
import { definePolicy } from "@/lib/auth/policy";
import { awsCloudFormationTemplate, awsTrustPolicy } from "@/lib/integrations/aws";
import { getIntegration, PROVIDER_NAMES } from "@/lib/integrations/integrations";
import { page, loadPageData, nullIfNotFound } from "@/lib/next/pages";
import { connectAwsRoleAction, startConsentAction } from "../../actions";

export const metadata: Metadata = { title: "Connect an integration" };

/**
 * The wizard's connect step (owners and admins). AWS: the ExternalId Gatehouse generated, the trust policy and a
 * CloudFormation template to create the role, then the role ARN, checked four ways. Directories: the provider's
 * consent page.
 */
export default page(
  definePolicy({ accept: ["user"], partner: "approved", partnerRole: "admin", errors: "app-page", path: "/partner/integrations/[id]/setup" }),
  async ({ principal: user, params }) => {
    const integration = await loadPageData(`/partner/integrations/${encodeURIComponent(params.id)}/setup`, () => nullIfNotFound(getIntegration(user.partnerId, params.id)));
    if (!integration) notFound();
    const name = PROVIDER_NAMES[integration.provider];
    return (
      <div className="max-w-3xl space-y-6">
        <p className="text-sm">
          <Link href={`/partner/integrations/${encodeURIComponent(integration.id)}`} className="text-brand-700 hover:underline">
            ← {integration.name}
          </Link>
        </p>
        <h1 className="text-2xl font-bold tracking-tight">Connect {integration.name}</h1>
        <ol className="flex gap-4 text-sm text-slate-600" aria-label="Steps">
          <li>1. Provider</li>
          <li>2. Details</li>
          <li className="font-semibold text-slate-900">3. Connect</li>
          <li>4. First sync</li>
        </ol>
        {integration.status === "connected" ? (
          <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-800">
            Connected. You can connect it again below (for example with another role).
          </p>
        ) : null}
        {integration.provider === "aws" && integration.externalId ? (
          <section className="space-y-4">
            <p className="text-slate-700">
              Create an IAM role in the AWS account Gatehouse should read. Its trust policy lets only Gatehouse assume it, and only with this integration&apos;s ExternalId, so no one
              else can make Gatehouse read your account. The role only needs read-only IAM access. Either deploy the CloudFormation template, or create the role by hand with the trust
              policy.
            </p>
            <CopyBlock label="ExternalId" text={integration.externalId} />
            <CopyBlock label="Trust policy" text={JSON.stringify(awsTrustPolicy(integration.externalId), null, 2)} />
            <CopyBlock label="CloudFormation template" text={awsCloudFormationTemplate(integration.externalId)} />
            <SimpleActionForm action={connectAwsRoleAction} submitLabel="Check and connect" pendingLabel="Checking the role…" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
              <input type="hidden" name="integrationId" value={integration.id} />
              <label className="block text-sm">
                <span className="text-slate-700">Role ARN</span>
                <input name="role_arn" required maxLength={2048} placeholder="arn:aws:iam::123456789012:role/GatehouseReadOnly" className="mt-1 block w-full rounded-md border border-slate-300 p-2 font-mono" />
                <span className="text-xs text-slate-500">
                  Gatehouse assumes the role with the ExternalId, checks the account, and checks that the role cannot be assumed without the ExternalId.
                </span>
              </label>
            </SimpleActionForm>
          </section>
        ) : (
          <section className="space-y-4">
            <p className="text-slate-700">
              An administrator of {integration.directory} signs in at {name} and allows Gatehouse read-only access to the directory. Gatehouse checks that the directory is the one
              named here and that every read-only permission was granted, then starts the first sync.
            </p>
            <form action={startConsentAction}>
              <input type="hidden" name="integrationId" value={integration.id} />
              <button type="submit" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
                {integration.status === "pending" ? `Connect with ${name}` : `Connect ${name} again`}
              </button>
            </form>
          </section>
        )}
      </div>
    );
  },
  { params: ["id"] },
);
