/**
 * Queue contract "bar-closed": one job per stored closed (or revised) bar, consumed by the analytics worker
 * (workers/analytics.ts). Producers (the collector, through BarClosedProducer) and the worker both import
 * this file; neither imports the other. Edit here when the payload or the job options change.
 *
 * Partitioning (DESIGN.md "Ordering and scaling out"): queue `bar-closed-{p}` with p = fnv1a(symbol) % N,
 * N = ANALYTICS_PARTITIONS. Every bar of one symbol lands in one partition, which has exactly one consumer
 * (concurrency 1, Redis lease), so one symbol's streaming state is never raced.
 *
 * Job ids are deterministic: BullMQ 6 refuses ":" in custom ids ("Custom Id cannot contain :", job.ts;
 * docs.bullmq.io "Job Ids"), so the parts are joined with "|" and the symbol's colon becomes "|" too:
 *   bar-closed|BINANCE|BTCUSDT|1m|1732147200000            closed bar
 *   bar-closed|BINANCE|BTCUSDT|1m|1732147200000|rev|9f2c…  revision, suffixed with a hash of its values
 * Adding an id that is still in the queue (or retained after completion) is a no-op: re-sent bars dedupe.
 */
import { createHash } from "node:crypto";
import { Queue, type ConnectionOptions, type DefaultJobOptions, type JobsOptions } from "bullmq";
import { z } from "zod";
import type { Bar } from "../domain/bars/bar.ts";
import { TIMEFRAMES } from "../domain/time/timeframes.ts";

/** Stem of the queue names; partition p is `${BAR_CLOSED_QUEUE}-${p}`. */
export const BAR_CLOSED_QUEUE = "bar-closed";
/** BullMQ job name (one kind of job per queue). */
export const BAR_CLOSED_JOB = "bar-closed";

export type BarClosedKind = "closed" | "revision";

/** `bar-closed-3` */
export function barClosedQueueName(partition: number): string {
  return `${BAR_CLOSED_QUEUE}-${partition}`;
}

/** 32-bit FNV-1a of the symbol id: stable across processes, versions and machines. */
export function symbolHash(symbol: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < symbol.length; index++) {
    hash ^= symbol.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The partition a symbol's bars go to. @example partitionOf("BINANCE:BTCUSDT", 1) // 0 */
export function partitionOf(symbol: string, partitions: number): number {
  return symbolHash(symbol) % partitions;
}

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const ZBarClosedBar = z.object({
  symbol: z.string().min(3),
  timeframe: z.enum(TIMEFRAMES),
  openTime: z.number().int(),
  open: finite,
  high: finite,
  low: finite,
  close: finite,
  volume: finite.refine((value) => value >= 0, "must not be negative"),
  trades: z.number().int().min(0),
  source: z.enum(["trades", "kline", "rest"]),
});

/** Job data. `bar` is the stored bar (the worker re-reads the database when it needs more than this bar). */
export const ZBarClosedJob = z
  .object({
    symbol: z.string().min(3),
    timeframe: z.enum(TIMEFRAMES),
    openTime: z.number().int(),
    kind: z.enum(["closed", "revision"]),
    bar: ZBarClosedBar,
  })
  .refine((job) => job.bar.symbol === job.symbol && job.bar.timeframe === job.timeframe && job.bar.openTime === job.openTime, {
    message: "bar does not match symbol/timeframe/openTime",
  });
export type TBarClosedJob = z.infer<typeof ZBarClosedJob>;

/**
 * Retries with exponential backoff (1 s, 2 s, 4 s, 8 s); completed jobs are kept an hour (at most 2,000 per
 * partition) so a re-sent bar dedupes; failed ones a week (at most 10,000) for inspection.
 */
export const BAR_CLOSED_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 2_000 },
  removeOnFail: { age: 7 * 86_400, count: 10_000 },
};

/** Short hash of the values that make a revision distinct. */
export function barValuesHash(bar: Bar): string {
  const text = [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades].join(",");
  return createHash("sha1").update(text).digest("hex").slice(0, 12);
}

/** Deterministic job id (see the header for the format and why "|"). */
export function barClosedJobId(bar: Bar, kind: BarClosedKind): string {
  const base = [BAR_CLOSED_QUEUE, bar.symbol, bar.timeframe, String(bar.openTime)].join("|").replaceAll(":", "|");
  return kind === "closed" ? base : `${base}|rev|${barValuesHash(bar)}`;
}

/** The job data for a stored bar. */
export function barClosedJobData(bar: Bar, kind: BarClosedKind): TBarClosedJob {
  const { symbol, timeframe, openTime, open, high, low, close, volume, trades, source } = bar;
  return { symbol, timeframe, openTime, kind, bar: { symbol, timeframe, openTime, open, high, low, close, volume, trades, source } };
}

/** One Queue per partition. */
export interface BarClosedQueueSet {
  readonly partitions: number;
  queue(partition: number): Queue<TBarClosedJob>;
  queueFor(symbol: string): Queue<TBarClosedJob>;
  close(): Promise<void>;
}

export interface BarClosedQueueOptions {
  /** BullMQ connection options (server/redis/client.ts `queueConnection("producer")`), never an instance. */
  connection: ConnectionOptions;
  /** BullMQ key prefix (`keys.queuePrefix()`). */
  prefix: string;
  partitions: number;
  jobOptions?: DefaultJobOptions;
}

/** Opens the partition queues (producer side). Close them with `close()`. */
export function createBarClosedQueues(options: BarClosedQueueOptions): BarClosedQueueSet {
  const queues = Array.from(
    { length: options.partitions },
    (_, partition) =>
      new Queue<TBarClosedJob>(barClosedQueueName(partition), {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: { ...BAR_CLOSED_JOB_OPTIONS, ...options.jobOptions },
      }),
  );
  for (const queue of queues) queue.on("error", () => undefined); // surfaced by the failing add
  return {
    partitions: options.partitions,
    queue: (partition) => queues[partition]!,
    queueFor: (symbol) => queues[partitionOf(symbol, options.partitions)]!,
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    },
  };
}

/**
 * Adds the job for one stored bar to its partition (dedupes on the deterministic id).
 * @example await enqueueBarClosed(queues, bar) // jobId bar-closed|BINANCE|BTCUSDT|1m|1732147200000
 */
export async function enqueueBarClosed(queueSet: BarClosedQueueSet, bar: Bar, kind: BarClosedKind = "closed", options: JobsOptions = {}): Promise<void> {
  await queueSet.queueFor(bar.symbol).add(BAR_CLOSED_JOB, barClosedJobData(bar, kind), { ...options, jobId: barClosedJobId(bar, kind) });
}
