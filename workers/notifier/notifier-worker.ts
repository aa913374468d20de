/**
 * The notifier, composed: a BullMQ Worker on the "notify" queue → notify.processor.ts → delivery.service.ts
 * (PostgreSQL state + channel senders + Redis token buckets), and a sweep that re-enqueues open deliveries whose
 * job is missing from Redis (enqueued while Redis was down, or lost with a flushed Redis) and dead-letters those
 * whose job BullMQ gave up on (e.g. stalled too often) — only deliveries of its own namespace, since several
 * namespaces may share one database (each has its own queue and notifier). The process entry (workers/notifier.ts) and the tests
 * build it; the caller owns `pool` and `redis` and closes them after `close()`.
 */
import { Worker, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type pg from "pg";
import { listStaleOpenDeliveries, markDead } from "../../server/db/notifications.repo.ts";
import type { NotifyMetrics } from "../../server/observability/notify-metrics.ts";
import { createNotifyQueue, enqueueNotifyJobs, notifyJobId, NOTIFY_QUEUE, type TNotifyJob } from "../../server/queues/notify.ts";
import type { QueueConnectionOptions } from "../../server/redis/client.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import type { AttemptReport } from "../../server/services/notifications/delivery.service.ts";
import { createSenders } from "../../server/services/notifications/channel-senders.ts";
import { namespaceOfQueuePrefix } from "../../server/services/notifications/delivery-namespace.ts";
import { takeToken } from "../../server/services/notifications/rate-limit.ts";
import type { GuardOptions } from "../../server/services/notifications/ssrf-guard.ts";
import { createNotifyProcessor } from "./notify.processor.ts";

type Log = (level: "info" | "warn" | "error", message: string, details?: object) => void;

export interface NotifierWorkerOptions {
  pool: pg.Pool;
  /** Command connection: in-app publish, token buckets. */
  redis: Redis;
  keys: RedisKeys;
  /** `queueConnection("worker")` for the Worker, `queueConnection("producer")` for the sweep's queue. */
  workerConnection: QueueConnectionOptions;
  producerConnection: QueueConnectionOptions;
  metrics: NotifyMetrics;
  guard: GuardOptions;
  smtpUrl: string | undefined;
  from: string;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
  concurrency: number;
  /** Job lock; a dead notifier's job is picked up by another after about 1–2 lock durations. */
  lockMs: number;
  bellSize: number;
  /** Sweep period and how long an open delivery must sit untouched before the sweep looks at it. */
  sweepIntervalMs?: number;
  sweepIdleMs?: number;
  /**
   * The sweep looks only at deliveries recorded for this MARKETLENS_NAMESPACE (and legacy ones without any);
   * default: the namespace of `keys`, i.e. of the queue this notifier consumes.
   */
  namespace?: string;
  now?: () => number;
  log?: Log;
}

export class NotifierWorker {
  private worker: Worker<TNotifyJob, AttemptReport> | undefined;
  private queue: Queue<TNotifyJob> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;
  private readonly senders: ReturnType<typeof createSenders>;
  private readonly log: Log;
  private readonly namespace: string;

  constructor(private readonly options: NotifierWorkerOptions) {
    this.log = options.log ?? (() => undefined);
    const namespace = options.namespace ?? namespaceOfQueuePrefix(options.keys.queuePrefix());
    if (!namespace) throw new Error(`notifier: cannot tell the namespace of queue prefix ${options.keys.queuePrefix()}; pass options.namespace`);
    this.namespace = namespace;
    this.senders = createSenders({
      redis: options.redis,
      keys: options.keys,
      guard: options.guard,
      timeoutMs: options.timeoutMs,
      smtpUrl: options.smtpUrl,
      from: options.from,
      bellSize: options.bellSize,
      now: options.now ?? Date.now,
    });
  }

  async start(): Promise<void> {
    const { options } = this;
    const now = options.now ?? Date.now;
    const processor = createNotifyProcessor({
      delivery: {
        pool: options.pool,
        send: (context) => this.senders.send(context),
        takeToken: (context) => takeToken(options.redis, options.keys.notifyBucket(context.channel.id), { ratePerMinute: context.channel.ratePerMinute, burst: context.channel.rateBurst }),
        now,
      },
      metrics: options.metrics,
      log: this.log,
    });
    this.queue = createNotifyQueue({ connection: options.producerConnection, prefix: options.keys.queuePrefix(), attempts: options.attempts, backoffMs: options.backoffMs });
    this.worker = new Worker<TNotifyJob, AttemptReport>(NOTIFY_QUEUE, processor, {
      connection: options.workerConnection,
      prefix: options.keys.queuePrefix(),
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: 2,
    });
    this.worker.on("failed", (job, error) => {
      if (!job) return;
      const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === "UnrecoverableError" || /stalled/i.test(error.message);
      if (exhausted) void markDead(options.pool, job.data.deliveryId, error.message).catch((markError: unknown) => this.log("error", "could not dead-letter a delivery", { deliveryId: job.data.deliveryId, error: String(markError) }));
    });
    this.worker.on("error", (error) => this.log("warn", "notify worker error", { error: error.message }));
    this.track(() => this.sweep());
    this.sweepTimer = setInterval(() => this.track(() => this.sweep()), options.sweepIntervalMs ?? 60_000);
    this.sweepTimer.unref();
  }

  /** Re-enqueues open deliveries whose job is gone; dead-letters those whose job failed for good. */
  async sweep(): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    try {
      const stale = await listStaleOpenDeliveries(this.options.pool, this.options.sweepIdleMs ?? Math.max(60_000, this.options.lockMs * 2), { namespace: this.namespace });
      const missing: TNotifyJob[] = [];
      for (const delivery of stale) {
        const data = { deliveryId: delivery.id, notificationId: delivery.notificationId, channelId: delivery.channelId };
        const job = await queue.getJob(notifyJobId(data));
        if (!job) missing.push(data);
        else if ((await job.getState()) === "failed") await markDead(this.options.pool, delivery.id, job.failedReason || "the notify job failed");
      }
      await enqueueNotifyJobs(queue, missing);
      this.options.metrics.requeued.inc(missing.length);
      if (missing.length > 0) this.log("info", "re-enqueued open deliveries without a job", { count: missing.length });
    } catch (error) {
      this.log("warn", "notify sweep failed (next round retries)", { error: String(error) });
    }
  }

  /** Stops taking jobs (running sends finish), stops the sweep, closes the SMTP transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.worker?.close();
    await this.sweeping;
    await this.queue?.close();
    this.senders.close();
  }

  /** One sweep at a time: a tick while the previous sweep still runs is skipped. */
  private track(start: () => Promise<void>): void {
    if (this.sweeping) return;
    this.sweeping = start().finally(() => {
      this.sweeping = undefined;
    });
  }
}
