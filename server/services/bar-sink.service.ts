/**
 * Where built bars go. Closed and revised bars are written to PostgreSQL in batches (idempotent upsert),
 * added to the Redis cache (last 1,000 per stream) and published on Redis pub/sub; live (unclosed) bar
 * updates are published at once when the stream was quiet for `liveThrottleMs`, then at most once per
 * `liveThrottleMs` per stream (the newest bar wins). When PostgreSQL or Redis is down
 * the bars wait in memory, in order, and are written on recovery: nothing is lost.
 * Every published event carries (epoch, seq) per stream so consumers detect gaps (docs/architecture.md).
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Bar } from "../domain/bars/bar.ts";
import type { BarEvent, BarEventKind } from "../domain/bars/bar-builder.ts";
import { upsertCandles } from "../db/candles.repo.ts";
import { BAR_CACHE_SIZE, type RedisKeys } from "../redis/keys.ts";
import type { CollectorMetrics } from "../observability/collector-metrics.ts";

export interface BarSinkOptions {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  metrics?: CollectorMetrics;
  source?: string;
  liveThrottleMs: number;
  flushIntervalMs?: number;
  maxBatch?: number;
  /**
   * Called once per batch right after closed/revised bars are stored in PostgreSQL (before the Redis publish):
   * the collector enqueues the analytics jobs here. Must not throw (errors are swallowed) nor block.
   */
  onStored?: (events: readonly StoredBar[]) => void;
  /** Called after a batch of closed bars is both stored and published (latency benchmark, tests). */
  onDelivered?: (bars: readonly Bar[], enqueuedAt: readonly number[]) => void;
  now?: () => number;
}

/** A closed or revised bar that is now in PostgreSQL. */
export interface StoredBar {
  kind: "closed" | "revision";
  bar: Bar;
}

interface Pending {
  kind: BarEventKind;
  bar: Bar;
  enqueuedAt: number;
  stored: boolean;
  published: boolean;
}

export class BarSink {
  readonly epoch = randomBytes(4).toString("hex");
  private readonly seqs = new Map<string, number>();
  private readonly live = new Map<string, Bar>();
  /** When each stream's live bar was last published (leading-edge throttle). */
  private readonly livePublishedAt = new Map<string, number>();
  private liveImmediate: NodeJS.Immediate | null = null;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private liveTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private retryAt = { pg: 0, redis: 0 };
  private failures = { pg: 0, redis: 0 };
  private readonly options: Required<Omit<BarSinkOptions, "metrics" | "onDelivered" | "onStored">> & Pick<BarSinkOptions, "metrics" | "onDelivered" | "onStored">;

  constructor(options: BarSinkOptions) {
    this.options = { source: "binance", flushIntervalMs: 20, maxBatch: 5_000, now: Date.now, ...options };
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    // Leading-edge throttle: a stream quiet for a whole window publishes at once (push schedules it); later updates in
    // the window wait for its end. The timer checks at a quarter of the window so the trailing update is not late.
    this.liveTimer = setInterval(() => void this.publishLive(), Math.max(this.options.liveThrottleMs / 4, 10));
  }

  /** Accepts an event from the bar builder. Never throws, never blocks. */
  push(event: BarEvent): void {
    const key = `${event.bar.symbol}:${event.bar.timeframe}`;
    if (event.kind === "live") {
      this.live.set(key, event.bar);
      const last = this.livePublishedAt.get(key);
      if (this.timer && !this.liveImmediate && (last === undefined || this.options.now() - last >= this.options.liveThrottleMs)) {
        // same tick bursts (a trade updates six timeframes) go out in one pipeline
        this.liveImmediate = setImmediate(() => {
          this.liveImmediate = null;
          void this.publishLive();
        });
      }
      return;
    }
    this.live.delete(key);
    this.queue.push({ kind: event.kind, bar: { ...event.bar }, enqueuedAt: this.options.now(), stored: false, published: false });
  }

  /** Bars not yet both stored and published. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Writes whatever is pending (waits for an in-flight flush first). */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Stops the timers and tries to drain the queue for up to `timeoutMs`. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.liveTimer) clearInterval(this.liveTimer);
    if (this.liveImmediate) clearImmediate(this.liveImmediate);
    const deadline = Date.now() + timeoutMs;
    this.retryAt = { pg: 0, redis: 0 };
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async flushOnce(): Promise<void> {
    const batch = this.queue.slice(0, this.options.maxBatch);
    const now = this.options.now();
    if (now >= this.retryAt.pg) await this.store(batch.filter((item) => !item.stored));
    if (now >= this.retryAt.redis) await this.publish(batch.filter((item) => !item.published));
    const done = batch.filter((item) => item.stored && item.published);
    if (done.length > 0) {
      this.queue = this.queue.filter((item) => !(item.stored && item.published));
      this.options.onDelivered?.(done.map((item) => item.bar), done.map((item) => item.enqueuedAt));
    }
    this.options.metrics?.writeBacklog.set({ target: "postgres" }, this.queue.filter((item) => !item.stored).length);
    this.options.metrics?.writeBacklog.set({ target: "redis" }, this.queue.filter((item) => !item.published).length);
  }

  private async store(items: Pending[]): Promise<void> {
    if (items.length === 0) return;
    const stopTimer = this.options.metrics?.dbWriteSeconds.startTimer();
    try {
      await upsertCandles(this.options.pool, items.map((item) => item.bar));
      stopTimer?.();
      for (const item of items) item.stored = true;
      this.failures.pg = 0;
    } catch {
      this.failures.pg += 1;
      this.retryAt.pg = this.options.now() + Math.min(200 * 2 ** this.failures.pg, 5_000);
      return;
    }
    try {
      this.options.onStored?.(items.map((item) => ({ kind: item.kind === "revision" ? "revision" : "closed", bar: item.bar })));
    } catch {
      // a hook failure must not undo or repeat the write
    }
  }

  private async publish(items: Pending[]): Promise<void> {
    if (items.length === 0) return;
    const { keys, redis } = this.options;
    const pipeline = redis.multi();
    for (const item of items) {
      const { bar } = item;
      const cacheKey = keys.bars(bar.symbol, bar.timeframe);
      pipeline.zremrangebyscore(cacheKey, bar.openTime, bar.openTime);
      pipeline.zadd(cacheKey, bar.openTime, JSON.stringify(bar));
      pipeline.zremrangebyrank(cacheKey, 0, -(BAR_CACHE_SIZE + 1));
      pipeline.publish(keys.barChannel(bar.symbol, bar.timeframe), this.event(item.kind, bar));
    }
    try {
      await pipeline.exec();
      for (const item of items) {
        item.published = true;
        const labels = { source: this.options.source, timeframe: item.bar.timeframe };
        (item.kind === "closed" ? this.options.metrics?.barsClosed : this.options.metrics?.barRevisions)?.inc(labels);
      }
      this.failures.redis = 0;
    } catch {
      this.failures.redis += 1;
      this.retryAt.redis = this.options.now() + Math.min(200 * 2 ** this.failures.redis, 5_000);
    }
  }

  private async publishLive(): Promise<void> {
    const now = this.options.now();
    if (this.live.size === 0 || now < this.retryAt.redis) return;
    const bars: Bar[] = [];
    for (const [key, bar] of this.live) {
      const last = this.livePublishedAt.get(key);
      if (last !== undefined && now - last < this.options.liveThrottleMs) continue; // at most once per window per stream
      bars.push(bar);
      this.live.delete(key);
      this.livePublishedAt.set(key, now);
    }
    if (bars.length === 0) return;
    const pipeline = this.options.redis.multi();
    for (const bar of bars) {
      pipeline.set(this.options.keys.liveBar(bar.symbol, bar.timeframe), JSON.stringify(bar), "EX", 600);
      pipeline.publish(this.options.keys.barChannel(bar.symbol, bar.timeframe), this.event("live", bar));
    }
    await pipeline.exec().catch(() => undefined); // a lost live update is superseded by the next one
  }

  private event(kind: BarEventKind, bar: Bar): string {
    const stream = `${bar.symbol}:${bar.timeframe}`;
    const seq = (this.seqs.get(stream) ?? 0) + 1;
    this.seqs.set(stream, seq);
    return JSON.stringify({ stream, epoch: this.epoch, seq, kind, bar });
  }
}
