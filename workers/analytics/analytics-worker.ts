/**
 * The analytics worker, composed: partition leases → one BullMQ Worker (concurrency 1) per owned bar-closed
 * partition → the processor → state manager (PostgreSQL) → Redis output. When a partition is acquired its
 * streams are swept in the background (backfill of streams that have bars but no indicator rows, catch-up of
 * bars closed while no worker ran). The process entry (workers/analytics.ts) and the integration tests build
 * it; the caller owns `pool` and `redis` and closes them after `close()`.
 */
import { randomBytes } from "node:crypto";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type pg from "pg";
import { TIMEFRAMES } from "../../server/domain/time/timeframes.ts";
import type { SessionKeyFn } from "../../server/domain/indicators/indicator-types.ts";
import { createLocalDateSessionKey, nyseSessionKey } from "../../server/domain/indicators/session-keys.ts";
import type { StreamKey } from "../../server/db/indicators.repo.ts";
import { listSymbols } from "../../server/db/symbols.repo.ts";
import type { AnalyticsMetrics } from "../../server/observability/analytics-metrics.ts";
import { barClosedQueueName, partitionOf, type TBarClosedJob } from "../../server/queues/bar-closed.ts";
import type { QueueConnectionOptions } from "../../server/redis/client.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import { AlertEngine, type AlertEngineOptions } from "./alert-engine.ts";
import { AnalyticsOutput } from "./analytics-output.ts";
import { AnalyticsStreams } from "./analytics-streams.ts";
import { createBarClosedProcessor, type BarClosedJobResult } from "./bar-closed.processor.ts";
import { PartitionLeases } from "./partition-lease.ts";

type Log = (level: "info" | "warn" | "error", message: string, details?: object) => void;

export interface AnalyticsWorkerOptions {
  pool: pg.Pool;
  /** Fail-fast command connection: cache, pub/sub, leases. */
  redis: Redis;
  keys: RedisKeys;
  /** BullMQ worker connection options (`queueConnection("worker")`). */
  connection: QueueConnectionOptions;
  partitions: number;
  metrics: AnalyticsMetrics;
  now?: () => number;
  owner?: string;
  leaseTtlMs?: number;
  /** Streams swept when a partition is acquired; default every active symbol of it × every timeframe. */
  sweep?: false | ((partition: number) => Promise<StreamKey[]>);
  log?: Log;
  /** The alert engine (closed-bar and tick alerts, alert-engine.ts); false or absent: no alert evaluation. */
  alerts?: Pick<AlertEngineOptions, "createSubscriber" | "notify" | "appUrl" | "reloadMs" | "ticks" | "onFired"> | false;
}

const CALENDAR_SESSIONS: Record<string, SessionKeyFn | undefined> = {
  CRYPTO: undefined, // UTC date, the engine's default
  NYSE: nyseSessionKey,
  BIST: createLocalDateSessionKey("Europe/Istanbul"),
};

export class AnalyticsWorker {
  readonly streams: AnalyticsStreams;
  private readonly output: AnalyticsOutput;
  private readonly workers = new Map<number, Worker<TBarClosedJob, BarClosedJobResult>>();
  private readonly sweeps = new Set<Promise<void>>();
  private readonly leases: PartitionLeases;
  private readonly calendars = new Map<string, Promise<string | undefined>>();
  private readonly log: Log;
  readonly alerts: AlertEngine | null;

  constructor(private readonly options: AnalyticsWorkerOptions) {
    const now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.streams = new AnalyticsStreams({ pool: options.pool, now, sessionKeyOf: (symbol) => this.sessionKeyOf(symbol) });
    this.output = new AnalyticsOutput({ pool: options.pool, redis: options.redis, keys: options.keys, now });
    this.alerts = options.alerts
      ? new AlertEngine({ ...options.alerts, registry: options.metrics.registry, pool: options.pool, redis: options.redis, keys: options.keys, now, log: this.log, preview: (bar) => this.streams.preview(bar), owns: (bar) => this.leases.owned.includes(partitionOf(bar.symbol, options.partitions)) })
      : null;
    const processor = createBarClosedProcessor({ streams: this.streams, output: this.output, metrics: options.metrics, alerts: this.alerts ?? undefined });
    this.leases = new PartitionLeases({
      redis: options.redis,
      keys: options.keys,
      partitions: options.partitions,
      owner: options.owner ?? `analytics-${process.pid}-${randomBytes(3).toString("hex")}`,
      ttlMs: options.leaseTtlMs,
      onAcquired: (partition) => this.startPartition(partition, processor),
      onLost: (partition) => this.stopPartition(partition),
      onError: (error) => this.log("warn", "partition lease renewal failed", { error: String(error) }),
    });
  }

  /** Partitions this instance consumes. */
  get partitions(): number[] {
    return this.leases.owned;
  }

  async start(): Promise<void> {
    await this.alerts?.start();
    await this.leases.start();
  }

  /** Resolves when every sweep started so far has finished (tests). */
  async whenSwept(): Promise<void> {
    while (this.sweeps.size > 0) await Promise.allSettled([...this.sweeps]);
  }

  /** Stops taking jobs (waits for the running ones), releases the leases. The caller then closes pool and Redis. */
  async close(): Promise<void> {
    await this.leases.stop();
    await Promise.allSettled([...this.sweeps]);
    await this.alerts?.close();
  }

  private startPartition(partition: number, processor: ReturnType<typeof createBarClosedProcessor>): void {
    const worker = new Worker<TBarClosedJob, BarClosedJobResult>(barClosedQueueName(partition), processor, {
      connection: this.options.connection,
      prefix: this.options.keys.queuePrefix(),
      concurrency: 1, // bars of one stream in order: one consumer, one job at a time
    });
    worker.on("failed", (job, error) => this.log("warn", "bar-closed job failed", { job: job?.id, attempts: job?.attemptsMade, error: error.message }));
    worker.on("error", (error) => this.log("warn", "bar-closed worker error", { partition, error: error.message }));
    this.workers.set(partition, worker);
    this.options.metrics.partitions.set(this.workers.size);
    this.log("info", "consuming partition", { partition, queue: barClosedQueueName(partition) });
    if (this.options.sweep !== false) this.track(this.sweep(partition));
  }

  private async stopPartition(partition: number): Promise<void> {
    const worker = this.workers.get(partition);
    this.workers.delete(partition);
    this.options.metrics.partitions.set(this.workers.size);
    await worker?.close();
    this.streams.drop((stream) => partitionOf(stream.symbol, this.options.partitions) === partition);
  }

  private track(sweep: Promise<void>): void {
    this.sweeps.add(sweep);
    void sweep.finally(() => this.sweeps.delete(sweep));
  }

  /** Backfill / catch-up of every stream of the partition, one at a time (jobs of a stream wait their turn). */
  private async sweep(partition: number): Promise<void> {
    try {
      const streams = this.options.sweep ? await this.options.sweep(partition) : await this.activeStreams(partition);
      for (const stream of streams) {
        if (!this.workers.has(partition)) return;
        const result = await this.streams.catchUp(stream);
        if (result.computed > 0 && result.state) {
          this.options.metrics.barsComputed.inc({ timeframe: stream.timeframe }, result.computed);
          this.log("info", "stream caught up", { ...stream, bars: result.computed, rebuilt: result.rebuilt });
          await this.output.publishLatest(stream, result.state, result.recomputedFrom ?? result.state.lastTime).catch((error: unknown) => {
            this.log("warn", "latest cache not written after catch-up (the API falls back to PostgreSQL)", { ...stream, error: String(error) });
          });
        }
      }
    } catch (error) {
      this.log("error", "sweep failed; streams catch up on their next job", { partition, error: String(error) });
    }
  }

  private async activeStreams(partition: number): Promise<StreamKey[]> {
    const symbols = await listSymbols(this.options.pool, { activeOnly: true });
    return symbols
      .filter((symbol) => partitionOf(symbol.id, this.options.partitions) === partition)
      .flatMap((symbol) => TIMEFRAMES.map((timeframe) => ({ symbol: symbol.id, timeframe })));
  }

  private async sessionKeyOf(symbol: string): Promise<SessionKeyFn | undefined> {
    let calendar = this.calendars.get(symbol);
    if (!calendar) {
      calendar = this.options.pool
        .query<{ calendar: string }>("SELECT calendar FROM symbols WHERE id = $1", [symbol])
        .then((result) => result.rows[0]?.calendar);
      calendar.catch(() => this.calendars.delete(symbol));
      this.calendars.set(symbol, calendar);
    }
    const name = await calendar;
    return name ? CALENDAR_SESSIONS[name] : undefined;
  }
}
