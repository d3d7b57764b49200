/**
 * A real SMTP server (smtp-server) that accepts every message and keeps it: the development mail sink, and what
 * tests read to prove an email was sent. Messages are also appended as JSON lines to `file` when given, so other
 * processes (Playwright workers) can read them.
 */
import { appendFileSync } from "node:fs";
import { SMTPServer } from "smtp-server";
import { findFreePort } from "./postgres.ts";

export interface SunkMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  receivedAt: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  messages: SunkMessage[];
  stop(): Promise<void>;
}

/** Minimal RFC 5322 split: headers (unfolded) and the body; enough for the plain-text mail Gatehouse sends. */
export function parseMessage(raw: string): { subject: string; text: string } {
  const [head = "", ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, " ");
  const subject = /^subject:\s*(.*)$/im.exec(headers)?.[1]?.trim() ?? "";
  let text = rest.join("\n\n");
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
    text = text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { subject: decodeEncodedWords(subject), text: text.trim() };
}

function decodeEncodedWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, encoding: string, data: string) =>
    encoding.toLowerCase() === "b"
      ? Buffer.from(data, "base64").toString("utf8")
      : Buffer.from(data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8"),
  );
}

/**
 * @param options.port   TCP port on 127.0.0.1 (a free one when omitted)
 * @param options.file   JSON-lines file to append each message to
 * @param options.onMessage called for each message (the dev launcher prints a line)
 */
export async function startSmtpSink(options: { port?: number; file?: string; onMessage?: (message: SunkMessage) => void } = {}): Promise<SmtpSink> {
  const port = options.port ?? (await findFreePort());
  const messages: SunkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const { subject, text } = parseMessage(Buffer.concat(chunks).toString("utf8"));
        const message: SunkMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject,
          text,
          receivedAt: new Date().toISOString(),
        };
        messages.push(message);
        if (options.file) appendFileSync(options.file, `${JSON.stringify(message)}\n`);
        options.onMessage?.(message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return { url: `smtp://127.0.0.1:${port}`, messages, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
