/**
 * Structured logging (pino). Secrets never reach a log: known secret-bearing keys are redacted by path,
 * and secret values are held in `Secret` wrappers whose serialisation is `[REDACTED]` (lib/http/secret.ts).
 */
import pino from "pino";

const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info");

export const logger = pino({
  level,
  base: { service: "gatehouse" },
  redact: {
    paths: [
      "*.authorization",
      "*.cookie",
      "*.password",
      "*.secret",
      "*.client_secret",
      "*.clientSecret",
      "*.token",
      "*.access_token",
      "*.api_key",
      "headers.authorization",
      "headers.cookie",
      'headers["x-api-key"]',
    ],
    censor: "[REDACTED]",
  },
});

/** A child logger that stamps every line with the request id. */
export function requestLogger(requestId: string) {
  return logger.child({ requestId });
}
