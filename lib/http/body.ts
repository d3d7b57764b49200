/**
 * Request-body parsing with the limits and errors every JSON endpoint shares.
 */
import { AppError, BadRequestError } from "@/lib/http/errors";

/** Largest JSON body accepted, in bytes. */
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * Reads a JSON object body.
 * @throws AppError 415 unless `Content-Type: application/json`; 413 above MAX_JSON_BYTES; 400 for malformed JSON
 *         or a non-object
 */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new AppError("unsupported_media_type", "Send the body as application/json.");
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BYTES) throw new AppError("payload_too_large", `The body is larger than ${MAX_JSON_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new AppError("payload_too_large", `The body is larger than ${MAX_JSON_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError("The body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BadRequestError("The body must be a JSON object.");
  return value as Record<string, unknown>;
}
