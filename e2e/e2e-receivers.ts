/**
 * Real receivers for notification e2e tests, on 127.0.0.1 (allowed by NOTIFY_ALLOWED_HOSTS in the test stack):
 * an HTTP receiver that keeps every request (Slack incoming webhook, generic signed webhook) and an SMTP sink
 * (the `smtp-server` package) on the port of the stack's SMTP_URL, keeping every message's raw text.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Answers 200 to every request and keeps it. */
export async function startHttpReceiver(path: string): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface SmtpSink {
  /** Raw RFC 5322 text of every accepted message, with its envelope recipients. */
  messages: Array<{ to: string[]; raw: string }>;
  close(): Promise<void>;
}

/** An SMTP server on the host and port of `smtpUrl` (smtp://127.0.0.1:PORT), no TLS, no auth. */
export async function startSmtpSink(smtpUrl: string): Promise<SmtpSink> {
  const { hostname, port } = new URL(smtpUrl);
  const messages: SmtpSink["messages"] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push({ to: session.envelope.rcptTo.map((address) => address.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(Number(port), hostname, () => ready());
  });
  return { messages, close: () => new Promise<void>((done) => server.close(() => done())) };
}
