/**
 * Recognises "PostgreSQL is unreachable" among driver and Prisma errors, so callers answer 503 instead of 500
 * and recover by themselves when the database returns (the pg pool reconnects on the next query).
 */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300", // too_many_connections
  "P1001", // Prisma: can't reach database server
  "P1002",
  "P1017", // Prisma: server closed the connection
  "P2024", // Prisma: timed out fetching a connection from the pool
]);

const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /connect ECONNREFUSED/i,
  /timeout exceeded when trying to connect/i,
  /Connection terminated unexpectedly/i,
  /server closed the connection/i,
  /the database system is (shutting down|starting up)/i,
  /DatabaseNotReachable/i,
  /Client has encountered a connection error/i,
  /Can't reach database server/i,
];

/** Driver-adapter error kinds (@prisma/driver-adapter-utils) that mean "unreachable", not "bad query". */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** True when the error (or any error in its `cause` chain) means the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const record = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      originalCode?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    for (const code of [record.code, record.originalCode]) {
      if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    }
    if (typeof record.kind === "string" && UNAVAILABLE_KINDS.has(record.kind)) return true;
    if (typeof record.message === "string" && UNAVAILABLE_MESSAGES.some((re) => re.test(record.message as string))) return true;
    // Prisma wraps driver errors as `meta.driverAdapterError` (whose `cause.kind` says what happened).
    current = record.meta?.driverAdapterError ?? record.cause;
  }
  return false;
}
