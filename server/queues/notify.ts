/**
 * Queue contract "notify": one job per delivery, i.e. per (notification, channel), consumed by the notifier
 * worker (workers/notifier.ts). Producers (server/services/notifications) and the worker both import this file.
 *
 * Job id `notify|<notificationId>|<channelId>` (BullMQ 6 refuses ":" in custom ids): a retried enqueue of the
 * same notification adds nothing while the job is retained, and a job that runs again finds its delivery
 * `delivered` in PostgreSQL and skips. Job data holds ids only (no secrets, no addresses): the worker reads the
 * channel and notification from PostgreSQL at send time.
 */
import { Queue, type ConnectionOptions, type DefaultJobOptions } from "bullmq";
import { z } from "zod";

export const NOTIFY_QUEUE = "notify";
export const NOTIFY_JOB = "deliver";

export const ZNotifyJob = z.object({
  deliveryId: z.uuid(),
  notificationId: z.uuid(),
  channelId: z.uuid(),
});
export type TNotifyJob = z.infer<typeof ZNotifyJob>;

/** `notify|<notificationId>|<channelId>` */
export function notifyJobId(job: Pick<TNotifyJob, "notificationId" | "channelId">): string {
  return `${NOTIFY_QUEUE}|${job.notificationId}|${job.channelId}`;
}

/**
 * Attempts with exponential backoff: with the defaults (6 attempts, 2 s) the retries wait 2, 4, 8, 16, 32 s;
 * after the last the delivery is dead-lettered. Completed jobs are kept a day (dedupe window of a re-enqueue),
 * failed ones 30 days.
 */
export function notifyJobOptions(options: { attempts: number; backoffMs: number }): DefaultJobOptions {
  return {
    attempts: options.attempts,
    backoff: { type: "exponential", delay: options.backoffMs },
    removeOnComplete: { age: 86_400, count: 50_000 },
    removeOnFail: { age: 30 * 86_400, count: 50_000 },
  };
}

export interface NotifyQueueOptions {
  /** `queueConnection("producer")`, never an IORedis instance (STACK.md §3). */
  connection: ConnectionOptions;
  /** `keys.queuePrefix()` */
  prefix: string;
  attempts: number;
  backoffMs: number;
}

export function createNotifyQueue(options: NotifyQueueOptions): Queue<TNotifyJob> {
  const queue = new Queue<TNotifyJob>(NOTIFY_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: notifyJobOptions(options),
  });
  queue.on("error", () => undefined); // surfaced by the failing add
  return queue;
}

/** Adds one job per delivery (deduped by job id). */
export async function enqueueNotifyJobs(queue: Queue<TNotifyJob>, jobs: readonly TNotifyJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(jobs.map((data) => ({ name: NOTIFY_JOB, data, opts: { jobId: notifyJobId(data) } })));
}
