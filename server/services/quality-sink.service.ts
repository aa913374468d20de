/**
 * Where a collector's data-quality results go (issue 4). Rejected items are buffered in memory and written to
 * the quarantine table in batches by a timer (`push` never blocks nor throws: the hot path only appends);
 * every `snapshotIntervalMs` (5 s) each symbol's QualitySnapshot is written to Redis (`{ns}:quality:{SYMBOL}`)
 * and the `marketlens_quality_score` gauge; every `historyIntervalMs` (60 s) one row per symbol goes to
 * data_quality_metrics. PostgreSQL or Redis down: quarantine waits in memory (bounded), snapshots are skipped.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import type { QualitySnapshot } from "../domain/quality/quality-types.ts";
import { insertQuarantine, upsertQualityMetrics, type QuarantineItem } from "../db/quality.repo.ts";
import type { CollectorMetrics } from "../observability/collector-metrics.ts";
import type { RedisKeys } from "../redis/keys.ts";

/** What Redis holds under `{ns}:quality:{SYMBOL}`. */
export interface StoredQualitySnapshot extends QualitySnapshot {
  source: string;
  /** Wall-clock epoch ms of the write. */
  updatedAt: number;
}

export interface QualitySinkOptions {
  pool: pg.Pool;
  /** Without Redis, snapshots only go to the gauge and the history table. */
  redis?: Redis;
  keys?: RedisKeys;
  metrics?: CollectorMetrics;
  source: string;
  /** The current snapshot of every symbol; `now` is the collector's view of exchange time. */
  snapshots: () => QualitySnapshot[];
  /** The collector's view of exchange time (epoch ms); history rows are stamped with it. */
  now: () => number;
  flushIntervalMs?: number;
  snapshotIntervalMs?: number;
  historyIntervalMs?: number;
  /** Most rejected items held while PostgreSQL is down; older ones are dropped (default 10,000). */
  maxBuffered?: number;
  /** Redis snapshot TTL in seconds (default 300). */
  snapshotTtlSeconds?: number;
  log?: (level: "info" | "warn" | "error", message: string, details?: object) => void;
}

export class QualitySink {
  private buffer: QuarantineItem[] = [];
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | null = null;
  private failing = false;
  private readonly options: QualitySinkOptions & Required<Pick<QualitySinkOptions, "flushIntervalMs" | "snapshotIntervalMs" | "historyIntervalMs" | "maxBuffered" | "snapshotTtlSeconds">>;

  constructor(options: QualitySinkOptions) {
    this.options = { flushIntervalMs: 1_000, snapshotIntervalMs: 5_000, historyIntervalMs: 60_000, maxBuffered: 10_000, snapshotTtlSeconds: 300, ...options };
  }

  start(): void {
    if (this.timers.length > 0) return;
    this.timers = [
      setInterval(() => void this.flush(), this.options.flushIntervalMs),
      setInterval(() => void this.publishSnapshots(), this.options.snapshotIntervalMs),
      setInterval(() => void this.recordHistory(), this.options.historyIntervalMs),
    ];
    for (const timer of this.timers) timer.unref();
  }

  /** Queues a rejected item for the quarantine table. O(1), never throws. */
  push(item: QuarantineItem): void {
    if (this.buffer.length >= this.options.maxBuffered) {
      this.buffer.shift();
      this.options.metrics?.quarantineDropped.inc({ source: this.options.source });
    }
    this.buffer.push(item);
  }

  /** Rejected items not yet written. */
  get backlog(): number {
    return this.buffer.length;
  }

  /** Writes the buffered items (waits for an in-flight write first). */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Writes every symbol's snapshot to Redis and the score gauge. Never throws. */
  async publishSnapshots(): Promise<void> {
    const snapshots = this.options.snapshots();
    for (const snapshot of snapshots) this.options.metrics?.qualityScore.set({ symbol: snapshot.symbol }, snapshot.score);
    const { redis, keys } = this.options;
    if (!redis || !keys || snapshots.length === 0) return;
    const updatedAt = Date.now();
    const multi = redis.multi();
    for (const snapshot of snapshots) {
      const stored: StoredQualitySnapshot = { ...snapshot, source: this.options.source, updatedAt };
      multi.set(keys.quality(snapshot.symbol), JSON.stringify(stored), "EX", this.options.snapshotTtlSeconds);
    }
    await multi.exec().catch(() => undefined);
  }

  /** One data_quality_metrics row per symbol at the collector's exchange time. Never throws. */
  async recordHistory(): Promise<void> {
    const at = Math.floor(this.options.now());
    const rows = this.options.snapshots().map((snapshot) => ({
      symbol: snapshot.symbol,
      at,
      score: snapshot.score,
      windowItems: snapshot.windowItems,
      windowRejected: snapshot.windowRejected,
      issues: snapshot.issuesByCheck,
    }));
    try {
      await upsertQualityMetrics(this.options.pool, rows);
    } catch (error) {
      this.options.log?.("warn", "data quality history not stored", { error: (error as Error).message });
    }
  }

  /** Stops the timers, writes the last snapshots and history row, and drains the quarantine buffer. */
  async close(timeoutMs = 5_000): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.publishSnapshots();
    await this.recordHistory();
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.buffer.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async flushOnce(): Promise<void> {
    const batch = this.buffer.slice(0, 1_000);
    try {
      await insertQuarantine(this.options.pool, batch);
      this.buffer.splice(0, batch.length);
      if (this.failing) this.options.log?.("info", "quarantine writes recovered", { backlog: this.buffer.length });
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.log?.("warn", "quarantine write failed; keeping the items in memory", { error: (error as Error).message, backlog: this.buffer.length });
      this.failing = true;
    }
  }
}
