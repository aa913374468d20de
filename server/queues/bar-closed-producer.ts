/**
 * Producer side of the bar-closed queues for the collector: `enqueue()` never throws and never waits; jobs
 * wait in an in-memory backlog (in order) and are added with `addBulk` per partition. When Redis is down the
 * add fails fast and the backlog is retried with backoff (200 ms doubling to 5 s) until it succeeds.
 * Nothing is lost short of a collector crash or an overflow of `maxBacklog` (oldest dropped, counted): the
 * analytics worker then still computes the missing bars, because on the next job of that stream it finds the
 * gap and reads the skipped bars from PostgreSQL (catch-up), and at its own start it catches every stream up.
 */
import type { Bar } from "../domain/bars/bar.ts";
import { BAR_CLOSED_JOB, barClosedJobData, barClosedJobId, partitionOf, type BarClosedKind, type BarClosedQueueSet } from "./bar-closed.ts";

export interface StoredBarEvent {
  kind: BarClosedKind;
  bar: Bar;
}

export interface BarClosedProducerOptions {
  queues: BarClosedQueueSet;
  /** Jobs kept while Redis is down; past it the oldest are dropped (default 200,000). */
  maxBacklog?: number;
  /** Jobs per addBulk round (default 1,000). */
  batchSize?: number;
  /** Give up waiting for one addBulk after this long and retry later (default 5 s; a late success dedupes). */
  addTimeoutMs?: number;
  onError?: (error: unknown, backlog: number) => void;
  onDropped?: (count: number) => void;
}

export class BarClosedProducer {
  private backlogItems: StoredBarEvent[] = [];
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private failures = 0;
  private closed = false;
  /** Jobs added (for metrics and tests). */
  added = 0;
  dropped = 0;

  constructor(private readonly options: BarClosedProducerOptions) {}

  /** Queues jobs for stored bars. Never throws, never blocks. */
  enqueue(events: readonly StoredBarEvent[]): void {
    if (this.closed || events.length === 0) return;
    for (const event of events) this.backlogItems.push({ kind: event.kind, bar: event.bar });
    const max = this.options.maxBacklog ?? 200_000;
    if (this.backlogItems.length > max) {
      const excess = this.backlogItems.length - max;
      this.backlogItems.splice(0, excess);
      this.dropped += excess;
      this.options.onDropped?.(excess);
    }
    this.schedule(0);
  }

  /** Jobs not yet added. */
  get backlog(): number {
    return this.backlogItems.length;
  }

  /** Adds what is pending (one round per call; waits for an in-flight round first). */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.backlogItems.length === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Tries to drain the backlog for up to `timeoutMs`, then closes the queues. */
  async close(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.backlogItems.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.backlogItems.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.flushing?.catch(() => undefined);
    await this.options.queues.close();
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.scheduled) return;
    this.scheduled = true;
    this.retryTimer = setTimeout(() => {
      this.scheduled = false;
      this.retryTimer = null;
      void this.flush().then(() => {
        if (this.backlogItems.length > 0) this.schedule(this.failures === 0 ? 0 : Math.min(200 * 2 ** this.failures, 5_000));
      });
    }, delayMs);
    this.retryTimer.unref?.();
  }

  private async flushOnce(): Promise<void> {
    const batch = this.backlogItems.slice(0, this.options.batchSize ?? 1_000);
    const { queues } = this.options;
    const byPartition = new Map<number, StoredBarEvent[]>();
    for (const event of batch) {
      const partition = partitionOf(event.bar.symbol, queues.partitions);
      const list = byPartition.get(partition) ?? [];
      list.push(event);
      byPartition.set(partition, list);
    }
    try {
      await withTimeout(
        Promise.all(
          [...byPartition].map(([partition, events]) =>
            queues.queue(partition).addBulk(
              events.map(({ bar, kind }) => ({ name: BAR_CLOSED_JOB, data: barClosedJobData(bar, kind), opts: { jobId: barClosedJobId(bar, kind) } })),
            ),
          ),
        ),
        this.options.addTimeoutMs ?? 5_000,
      );
      // Items enqueued meanwhile were appended; the batch is still the backlog's head unless an overflow cut it.
      const stillHead = this.backlogItems[0] === batch[0];
      this.backlogItems.splice(0, stillHead ? batch.length : 0);
      this.added += batch.length;
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.options.onError?.(error, this.backlogItems.length);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bar-closed enqueue did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
