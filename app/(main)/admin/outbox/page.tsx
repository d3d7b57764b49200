import { adminPage } from "@/lib/auth/policies";
import type { Metadata } from "next";
import { ConfirmAction } from "@/components/confirm-action";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { getConfig } from "@/lib/config";
import { page, loadPageData } from "@/lib/next/pages";
import { listOutboxAsAdmin } from "@/lib/mail/outbox";
import { retryEmailAction } from "../partners/actions";

export const metadata: Metadata = { title: "Outbox" };

export default page(adminPage("/admin/outbox"), async ({ principal: { admin }, searchParams }) => {
  const page = Math.max(1, Number.parseInt(searchParams.page ?? "1", 10) || 1);
  const { emails, total } = await loadPageData("/admin/outbox", () => listOutboxAsAdmin(admin, { page }));
  const smtp = getConfig().smtpUrl;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Outbox</h1>
      <p className="text-slate-700">
        Every email Gatehouse sends, with its delivery state. Failed deliveries are retried with backoff; you can retry one now.
        {smtp ? null : " No SMTP server is configured (SMTP_URL), so emails stay here."}
      </p>
      {emails.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No emails yet.</p>
      ) : (
        <ul className="space-y-3">
          {emails.map((email) => (
            <li key={email.id} className="rounded-xl border border-slate-200 bg-white p-4">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div>
                  <p className="font-medium">{email.subject}</p>
                  <p className="text-sm text-slate-600">
                    To {email.to.join(", ")} · {formatDateTime(email.createdAt)} ·{" "}
                    <span className={email.status === "sent" ? "text-emerald-700" : email.status === "failed" ? "text-red-700" : "text-amber-700"}>{email.status}</span>
                    {email.attempts > 0 ? ` after ${email.attempts} attempt${email.attempts === 1 ? "" : "s"}` : ""}
                  </p>
                  {email.lastError && email.status !== "sent" ? <p className="text-sm text-red-700">Last error: {email.lastError}</p> : null}
                </div>
                {email.status !== "sent" && smtp ? (
                  <ConfirmAction action={retryEmailAction} fields={{ emailId: email.id }} label="Retry now" confirmLabel="Send now" prompt="Try to deliver this email now?" />
                ) : null}
              </div>
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer text-slate-600">Message</summary>
                <pre className="mt-2 whitespace-pre-wrap rounded bg-slate-50 p-3 text-slate-800">{email.text}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={20} total={total} hrefFor={(p) => `/admin/outbox?page=${p}`} />
    </div>
  );
}, { searchParams: ["page"] });
