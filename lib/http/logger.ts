/**
 * Structured logging (pino). Secrets never reach a log: known secret-bearing keys are redacted by path,
 * and secret values are held in `Secret` wrappers whose serialisation is `[REDACTED]` (lib/http/secret.ts).
 */
import pino from "pino";

const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info");

const TOKEN_FIELDS = ["access_token", "refresh_token", "id_token", "code_verifier", "credentials", "session_token", "SessionToken", "SecretAccessKey"];

/** What every log line has redacted, by path (pino `redact`): secret-bearing keys at the top level and one level down. */
export const LOG_REDACTION = {
  paths: [
    ...TOKEN_FIELDS,
    ...TOKEN_FIELDS.map((field) => `*.${field}`),
    "*.authorization",
    "*.cookie",
    "*.password",
    "*.secret",
    "*.client_secret",
    "*.clientSecret",
    "*.token",
    "*.api_key",
    "headers.authorization",
    "headers.cookie",
    'headers["x-api-key"]',
  ],
  censor: "[REDACTED]",
};

export const logger = pino({ level, base: { service: "gatehouse" }, redact: LOG_REDACTION });

/** A child logger that stamps every line with the request id. */
export function requestLogger(requestId: string) {
  return logger.child({ requestId });
}
