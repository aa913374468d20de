/**
 * Helpers of the notifier integration tests (real PostgreSQL, Redis, BullMQ, sockets):
 * - an HTTP receiver (node:http on 127.0.0.1, port 0) that records every request and answers as the test says
 *   (or holds the request open), with a signature check using the documented recipe;
 * - an SMTP sink (the smtp-server package) that records every message and its headers;
 * - an in-process notifier and producer queue on a namespace of the test's own.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pg from "pg";
import { Registry } from "prom-client";
import { SMTPServer } from "smtp-server";
import { env } from "../../server/env.ts";
import { createNotifyMetrics } from "../../server/observability/notify-metrics.ts";
import { createNotifyQueue } from "../../server/queues/notify.ts";
import { queueConnection } from "../../server/redis/client.ts";
import { redisKeys, type RedisKeys } from "../../server/redis/keys.ts";
import type { NotificationServiceDeps } from "../../server/services/notifications/notifications.service.ts";
import { parseAllowedHosts } from "../../server/services/notifications/ssrf-guard.ts";
import { NotifierWorker, type NotifierWorkerOptions } from "./notifier-worker.ts";

export const DATABASE_URL = env().DATABASE_URL;
export const REDIS_URL = env().REDIS_URL;

export function uniqueId(prefix: string): string {
  return `${prefix}${randomBytes(4).toString("hex")}`;
}

/** Polls until `condition` holds (no fixed sleeps); throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(condition: () => Promise<T | false | undefined | null> | T | false | undefined | null, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  deliveryId: string | undefined;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface HttpReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Distinct X-Marketlens-Delivery values received. */
  deliveryIds(): Set<string>;
  /** Requests being held open (answer "hold"). */
  held: number;
  close(): Promise<void>;
}

/**
 * A local HTTP receiver. `answer` sees each complete request; "hold" keeps it open without answering (the
 * sender's process can then be killed mid-delivery). Requests count as received once their body is complete.
 */
export async function startHttpReceiver(answer: (request: ReceivedRequest, index: number) => Answer | "hold" = () => ({ status: 200, body: "ok" })): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const receiver = { held: 0 } as HttpReceiver;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const header = request.headers["x-marketlens-delivery"];
      const received: ReceivedRequest = { path: request.url ?? "/", headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), deliveryId: typeof header === "string" ? header : undefined };
      requests.push(received);
      const result = answer(received, requests.length - 1);
      if (result === "hold") {
        receiver.held += 1;
        return;
      }
      response.writeHead(result.status, { "content-type": "text/plain", ...result.headers });
      response.end(result.body ?? "");
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    deliveryIds: () => new Set(requests.map((request) => request.deliveryId).filter((id): id is string => Boolean(id))),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  headers: Map<string, string>;
  raw: string;
}

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  /** Distinct Message-IDs received. */
  messageIds(): Set<string>;
  close(): Promise<void>;
}

/** Header lines of a raw message (unfolded), lower-case names. */
function parseHeaders(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1, port 0; `rejectRecipient` answers 550 to RCPT TO. `holdFirst`: the first message is recorded when its
 * DATA is complete but never acknowledged (the sender waits for "250" forever) — a crash window for the SIGKILL test.
 */
export async function startSmtpSink(options: { holdFirst?: boolean; rejectRecipient?: (address: string) => boolean } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) return callback(Object.assign(new Error("5.1.1 mailbox unavailable"), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          headers: parseHeaders(raw),
          raw,
        });
        if (options.holdFirst && messages.length === 1) return; // never answer: the client hangs until it dies
        callback();
      });
    },
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    messageIds: () => new Set(messages.map((message) => message.headers.get("message-id") ?? "")),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TestStack {
  namespace: string;
  keys: RedisKeys;
  pool: pg.Pool;
  redis: Redis;
  service: NotificationServiceDeps;
  /** Starts an in-process notifier on this namespace (closed by `close()`). */
  startNotifier(overrides?: Partial<NotifierWorkerOptions>): Promise<NotifierWorker>;
  close(): Promise<void>;
}

export const TEST_ALLOWED_HOSTS = parseAllowedHosts("127.0.0.1");

/** PostgreSQL pool, Redis, producer queue and notifiers on a namespace of this test's own. */
export function createTestStack(options: { attempts?: number; backoffMs?: number } = {}): TestStack {
  const namespace = `${env().MARKETLENS_NAMESPACE}-${randomBytes(3).toString("hex")}`;
  const keys = redisKeys(namespace);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
  redis.on("error", () => undefined);
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 50;
  const queue = createNotifyQueue({ connection: queueConnection("producer", REDIS_URL), prefix: keys.queuePrefix(), attempts, backoffMs });
  const notifiers: NotifierWorker[] = [];
  return {
    namespace,
    keys,
    pool,
    redis,
    service: { pool, queue, guard: { allowedHosts: TEST_ALLOWED_HOSTS } },
    async startNotifier(overrides = {}) {
      const notifier = new NotifierWorker({
        pool,
        redis,
        keys,
        workerConnection: queueConnection("worker", REDIS_URL),
        producerConnection: queueConnection("producer", REDIS_URL),
        metrics: createNotifyMetrics(new Registry(), { defaultMetrics: false }),
        guard: { allowedHosts: TEST_ALLOWED_HOSTS },
        smtpUrl: undefined,
        from: "Marketlens Test <alerts@marketlens.test>",
        timeoutMs: 2_000,
        attempts,
        backoffMs,
        concurrency: 4,
        lockMs: 5_000,
        bellSize: 3,
        ...overrides,
      });
      await notifier.start();
      notifiers.push(notifier);
      return notifier;
    },
    async close() {
      await Promise.all(notifiers.map((notifier) => notifier.close()));
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      const leftovers = await redis.keys(`${namespace}:*`);
      if (leftovers.length > 0) await redis.del(...leftovers);
      await redis.quit();
      await pool.end();
    },
  };
}

export interface DeliveryState {
  id: string;
  channelId: string;
  status: string;
  attempts: number;
  rateLimited: number;
  lastError: string | null;
  deliveredAt: Date | null;
  attemptOutcomes: string[];
}

/** The deliveries of a notification with their attempt outcomes, in channel creation order. */
export async function deliveryStates(pool: pg.Pool, notificationId: string): Promise<DeliveryState[]> {
  const result = await pool.query<{ id: string; channel_id: string; status: string; attempts: number; rate_limited: number; last_error: string | null; delivered_at: Date | null; outcomes: string[] | null }>(
    `SELECT d.id::text AS id, d.channel_id::text AS channel_id, d.status, d.attempts, d.rate_limited, d.last_error, d.delivered_at,
            (SELECT array_agg(a.outcome ORDER BY a.id) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS outcomes
     FROM deliveries d JOIN notification_channels c ON c.id = d.channel_id WHERE d.notification_id = $1 ORDER BY c.created_at, c.id`,
    [notificationId],
  );
  return result.rows.map((row) => ({
    id: row.id,
    channelId: row.channel_id,
    status: row.status,
    attempts: row.attempts,
    rateLimited: row.rate_limited,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
    attemptOutcomes: row.outcomes ?? [],
  }));
}

/** Waits until every delivery of the notification is in a final state (delivered or dead). */
export async function waitSettled(pool: pg.Pool, notificationId: string, timeoutMs = 20_000): Promise<DeliveryState[]> {
  return waitFor(
    async () => {
      const states = await deliveryStates(pool, notificationId);
      return states.length > 0 && states.every((state) => state.status === "delivered" || state.status === "dead") ? states : null;
    },
    timeoutMs,
    `notification ${notificationId} to settle`,
  );
}

/** One test file's notifier set-up: the shared TestStack, and receivers/sinks/notifiers closed after each test. */
export interface NotifierSuite {
  /** Created in beforeAll, closed in afterAll. */
  readonly stack: TestStack;
  /** Runs `close` after the current test (last registered first). */
  cleanup(close: () => Promise<void>): void;
  receiver(...args: Parameters<typeof startHttpReceiver>): Promise<HttpReceiver>;
  smtpSink(...args: Parameters<typeof startSmtpSink>): Promise<SmtpSink>;
  notifier(overrides?: Parameters<TestStack["startNotifier"]>[0]): Promise<{ close(): Promise<void> }>;
}

/** Registers the vitest hooks of a notifier test file (call at the top level of the file). */
export function notifierSuite(options: { attempts?: number; backoffMs?: number } = {}): NotifierSuite {
  let stack: TestStack | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(() => {
    stack = createTestStack(options);
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  afterAll(async () => {
    await stack?.close();
  });
  const suite: NotifierSuite = {
    get stack() {
      if (!stack) throw new Error("notifierSuite: the stack exists from beforeAll on");
      return stack;
    },
    cleanup: (close) => void cleanups.push(close),
    async receiver(...args) {
      const started = await startHttpReceiver(...args);
      cleanups.push(() => started.close());
      return started;
    },
    async smtpSink(...args) {
      const sink = await startSmtpSink(...args);
      cleanups.push(() => sink.close());
      return sink;
    },
    async notifier(overrides) {
      const started = await suite.stack.startNotifier(overrides);
      cleanups.push(() => started.close());
      return started;
    },
  };
  return suite;
}
