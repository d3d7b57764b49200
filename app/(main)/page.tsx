import { publicPage } from "@/lib/auth/policies";
import { page } from "@/lib/next/pages";
import Link from "next/link";
import { Card } from "@/components/card";

const CALLERS = [
  { who: "Partner staff", how: "Sign in with Google Workspace or Microsoft Entra ID; an admin approves new organisations." },
  { who: "Client contacts", how: "Enter a read-only portal through a magic link their partner sends." },
  { who: "Backend services", how: "OAuth 2.0 client credentials and short-lived JWT access tokens." },
  { who: "AI tools", how: "An MCP endpoint behind API keys, scoped to one organisation." },
];

export default page(publicPage("/"), async () => {
  return (
    <div className="space-y-10">
      <section className="space-y-4">
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">Gatehouse decides who gets in.</h1>
        <p className="max-w-2xl text-lg text-slate-700">
          One place that controls access to the platform for every kind of caller, built on open standards: OpenID
          Connect, OAuth 2.0 and the MCP authorization spec.
        </p>
        <Link
          href="/sign-in"
          className="inline-block rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700"
        >
          Sign in
        </Link>
      </section>
      <Card title="Who Gatehouse lets in">
        <dl className="grid gap-4 sm:grid-cols-2">
          {CALLERS.map((caller) => (
            <div key={caller.who}>
              <dt className="font-medium text-slate-900">{caller.who}</dt>
              <dd className="text-slate-700">{caller.how}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
});
