/**
 * Queue contract "yahoo-poll": a BullMQ job scheduler (`upsertJobScheduler`, BullMQ ≥ 5.16) that produces one job
 * every YAHOO_POLL_INTERVAL_MS; the Yahoo collector process (workers/yahoo-collector.ts) consumes it and polls every
 * active Yahoo symbol whose session runs (server/sources/session-gate.ts decides; closed markets do nothing).
 * One scheduler id, so restarts and several collector processes upsert the same schedule instead of stacking
 * new ones. The job carries no data worth retrying: a failed or missed poll is covered by the next one (each poll
 * fetches from the last stored minute), hence attempts 1 and small retention.
 * Edit here when the payload or the job options change.
 */
import { Queue, type ConnectionOptions } from "bullmq";
import { z } from "zod";

export const YAHOO_POLL_QUEUE = "yahoo-poll";
export const YAHOO_POLL_JOB = "yahoo-poll";
export const YAHOO_POLL_SCHEDULER_ID = "yahoo-poll-every";

export const ZYahooPollJob = z.object({ reason: z.literal("schedule") });
export type TYahooPollJob = z.infer<typeof ZYahooPollJob>;

export function createYahooPollQueue(options: { connection: ConnectionOptions; prefix: string }): Queue<TYahooPollJob> {
  return new Queue<TYahooPollJob>(YAHOO_POLL_QUEUE, { connection: options.connection, prefix: options.prefix });
}

/** Registers (or updates) the poll schedule: one job every `everyMs`. */
export async function upsertYahooPollScheduler(queue: Queue<TYahooPollJob>, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    YAHOO_POLL_SCHEDULER_ID,
    { every: everyMs },
    { name: YAHOO_POLL_JOB, data: { reason: "schedule" }, opts: { attempts: 1, removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } } },
  );
}
