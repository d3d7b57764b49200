/**
 * One autocannon run in a process of its own (forked by scripts/bench.ts), so the load generator never shares an
 * event loop with the benchmark's orchestration, the peer or the app. The parent sends one `LoadSpec` over IPC and
 * gets one `LoadResult` back; the process then exits.
 */
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds of load. */
  duration: number;
}

export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  /** Latency percentiles, milliseconds. */
  p50: number;
  /** From every response's own time (autocannon's histogram has p90 and p97.5, not p95). */
  p95: number;
  p99: number;
  requests: number;
  /** Socket errors + timeouts + non-2xx responses (every scenario expects 2xx only). */
  errors: number;
  /** Response count per HTTP status, to explain any error. */
  statusCodes: Record<string, number>;
}

/** Runs autocannon once. @throws Error when autocannon itself fails (bad URL, no server) */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        ...(spec.body === undefined ? {} : { body: spec.body }),
        connections: spec.connections,
        duration: spec.duration,
        timeout: 10,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]));
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p95: times.length ? Number(times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!.toFixed(1)) : 0,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
    statusCodes,
  };
}

if (process.send) {
  process.once("message", (spec: LoadSpec) => {
    runLoad(spec).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
    );
  });
}
