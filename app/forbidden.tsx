import Link from "next/link";
import { Card } from "@/components/card";

export default function Forbidden() {
  return (
    <main id="main" className="mx-auto max-w-md px-6 py-10">
      <Card>
        <h1 className="text-2xl font-bold tracking-tight">You do not have access to this page</h1>
        <p className="mt-3 text-slate-700">This area is for Gatehouse administrators. If you need access, ask an administrator.</p>
        <Link href="/start" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
          Go to your home page
        </Link>
      </Card>
    </main>
  );
}
