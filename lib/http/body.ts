/**
 * Request-body parsing with the limits and errors every JSON endpoint shares.
 */
import { AppError, BadRequestError } from "@/lib/http/errors";

/**
 * Reads a request body while it streams, refusing it as soon as it passes `maxBytes` (a chunked body, or one whose
 * Content-Length lies, is cut off there rather than buffered whole). A declared Content-Length over the limit is
 * refused before reading anything.
 * @param maxBytes the limit, bytes
 * @returns the body bytes (empty for no body)
 * @throws AppError 413 `payload_too_large`
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

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
