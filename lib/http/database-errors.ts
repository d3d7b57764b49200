/**
 * Recognises "PostgreSQL is unreachable" among driver and Prisma errors, so callers answer 503 instead of 500
 * and recover by themselves when the database returns (the pg pool reconnects on the next query); and text that
 * PostgreSQL cannot store (a NUL byte), which is the caller's bad input: 400.
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
  "P2028", // Prisma: could not start an interactive transaction in time (every connection busy): capacity, so 503
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

type ErrorRecord = { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown } };

/** Whether `test` holds for the error or any error it wraps (`cause`, Prisma's `meta.driverAdapterError`). */
function anyInChain(error: unknown, test: (record: ErrorRecord) => boolean): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const record = current as ErrorRecord;
    if (test(record)) return true;
    // Prisma wraps driver errors as `meta.driverAdapterError` (whose `cause.kind` says what happened).
    current = record.meta?.driverAdapterError ?? record.cause;
  }
  return false;
}

const codesOf = (record: ErrorRecord) => [record.code, record.originalCode].filter((code): code is string => typeof code === "string");

/** True when the error (or any error in its `cause` chain) means the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return anyInChain(
    error,
    (record) =>
      codesOf(record).some((code) => UNAVAILABLE_CODES.has(code)) ||
      (typeof record.kind === "string" && UNAVAILABLE_KINDS.has(record.kind)) ||
      (typeof record.message === "string" && UNAVAILABLE_MESSAGES.some((re) => re.test(record.message as string))),
  );
}

/** 22021 character_not_in_repertoire (e.g. a NUL byte in text), 22P05 untranslatable_character. */
const UNSTORABLE_TEXT_CODES = new Set(["22021", "22P05"]);

/**
 * True when PostgreSQL refused a value the client sent because text cannot hold it (a NUL byte, invalid UTF-8):
 * bad input, answered 400 like any other, never a 500.
 */
export function isUnstorableText(error: unknown): boolean {
  return anyInChain(
    error,
    (record) => codesOf(record).some((code) => UNSTORABLE_TEXT_CODES.has(code)) || (typeof record.message === "string" && /invalid byte sequence for encoding/i.test(record.message)),
  );
}
