"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

interface JobState {
  status: "queued" | "running" | "succeeded" | "partial" | "timed_out" | "failed";
  progress: Record<string, number>;
  counts: Record<string, number>;
  truncated: string[];
  error: string | null;
}

const DONE_TEXT: Record<string, string> = {
  succeeded: "Sync finished.",
  partial: "Sync finished, but stopped at the resource limit for some types; nothing was deleted.",
  timed_out: "The sync ran out of time; what was read is shown and nothing was deleted.",
  failed: "The sync failed.",
};

function describe(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([type, n]) => `${n} ${type}${n === 1 ? "" : "s"}`);
  return parts.length ? parts.join(", ") : "nothing yet";
}

/**
 * The live sync banner: polls the job every second while it is queued or running (the integrations API, with the
 * page's session), shows what has been read so far, and refreshes the page when the job ends.
 */
export function SyncBanner({ integrationId, jobId, initial }: { integrationId: string; jobId: string; initial: JobState }) {
  const router = useRouter();
  const [job, setJob] = useState<JobState>(initial);
  const active = job.status === "queued" || job.status === "running";

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const timer = setInterval(() => {
      void fetch(`/api/integrations/${encodeURIComponent(integrationId)}/sync-jobs/${encodeURIComponent(jobId)}`, { cache: "no-store" })
        .then((response) => (response.ok ? (response.json() as Promise<JobState>) : null))
        .then((next) => {
          if (!next || stopped) return;
          setJob(next);
          if (next.status !== "queued" && next.status !== "running") router.refresh();
        })
        .catch(() => {});
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [active, integrationId, jobId, router]);

  if (active) {
    return (
      <div role="status" aria-live="polite" data-testid="sync-banner" data-status={job.status} className="flex items-center gap-3 rounded-xl border border-sky-300 bg-sky-50 p-4 text-sm text-sky-950">
        <span className="h-3 w-3 animate-pulse rounded-full bg-sky-500" aria-hidden />
        <span>
          {job.status === "queued" ? "Sync queued; it starts in a moment…" : `Syncing… read so far: ${describe(job.progress)}.`}
        </span>
      </div>
    );
  }
  const tone = job.status === "succeeded" ? "border-emerald-300 bg-emerald-50 text-emerald-950" : job.status === "failed" ? "border-red-300 bg-red-50 text-red-950" : "border-amber-300 bg-amber-50 text-amber-950";
  return (
    <div role="status" data-testid="sync-banner" data-status={job.status} className={`rounded-xl border p-4 text-sm ${tone}`}>
      {DONE_TEXT[job.status]} {job.status !== "failed" ? `Stored: ${describe(job.counts)}.` : job.error}
      {job.truncated.length ? ` Cut at the limit: ${job.truncated.join(", ")}.` : null}
    </div>
  );
}
