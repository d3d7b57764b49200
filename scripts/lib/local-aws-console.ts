/**
 * A one-page stand-in for the AWS console, for `npm run dev` only: paste the trust policy Gatehouse's AWS setup page
 * shows, and the local AWS emulator (scripts/lib/local-aws.ts) gets a role in its demo account with exactly that
 * trust (the principal and the `sts:ExternalId` condition); the page answers the role ARN to paste back into
 * Gatehouse. A newcomer can so click through a real connect: AssumeRole with the ExternalId, GetCallerIdentity, and
 * the refusal of a role without the condition (leave the condition out of the pasted policy to see it).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalAws } from "./local-aws.ts";

const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface TrustStatement {
  Principal?: { AWS?: string | string[] };
  Condition?: { StringEquals?: Record<string, string> };
}

/**
 * Starts the page.
 * @param aws the running emulator; roles are created in `accountId`
 * @returns its URL and stop()
 */
export async function startLocalAwsConsole(aws: LocalAws, accountId: string): Promise<{ url: string; stop(): Promise<void> }> {
  const page = (body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>Local AWS (development)</title></head><body style="font-family:sans-serif;max-width:48rem;margin:2rem auto">` +
    `<h1>Local AWS: account ${accountId}</h1>${body}</body></html>`;
  const form = (policy = "", name = "GatehouseReadOnly") =>
    `<form method="post"><p><label>Role name <input name="name" value="${escape(name)}"></label></p>` +
    `<p><label>Trust policy (paste it from Gatehouse's AWS setup page)<br><textarea name="policy" rows="16" cols="80">${escape(policy)}</textarea></label></p>` +
    `<button>Create role</button></form>`;
  const server = http.createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(form()));
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body = (body + chunk).slice(0, 100_000)));
    req.on("end", () => {
      const fields = new URLSearchParams(body);
      const policyText = fields.get("policy") ?? "";
      const name = fields.get("name") ?? "";
      try {
        if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new Error("A role name is 1-64 letters, digits and +=,.@-_");
        const statement = (JSON.parse(policyText) as { Statement?: TrustStatement[] }).Statement?.[0];
        const principal = [statement?.Principal?.AWS ?? []].flat()[0];
        if (!principal) throw new Error("The policy names no AWS principal");
        const externalId = statement?.Condition?.StringEquals?.["sts:ExternalId"] ?? null;
        const arn = aws.putRole(accountId, name, { principalArn: principal, externalId });
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
          page(
            `<p>Created <code>${escape(arn)}</code>, trusting <code>${escape(principal)}</code> ${externalId ? `with ExternalId <code>${escape(externalId)}</code>` : "<strong>without an ExternalId condition</strong> (Gatehouse will refuse it)"}.</p>` +
              `<p>Paste the role ARN into Gatehouse.</p>${form(policyText, name)}`,
          ),
        );
      } catch (error) {
        res.writeHead(400, { "content-type": "text/html; charset=utf-8" }).end(page(`<p role="alert">${escape((error as Error).message)}</p>${form(policyText, name)}`));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
