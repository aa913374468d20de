/**
 * Helpers of the analytics integration tests: fixture bars under a unique symbol, candle inserts, a worker
 * and producer on the test's own namespace (real PostgreSQL, Redis and BullMQ), waits without fixed sleeps.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type pg from "pg";
import { Registry } from "prom-client";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { fixtureRows, rowsToBars } from "../../server/domain/indicators/indicator-test-helpers.ts";
import { upsertCandles } from "../../server/db/candles.repo.ts";
import type { StreamKey } from "../../server/db/indicators.repo.ts";
import { createAnalyticsMetrics } from "../../server/observability/analytics-metrics.ts";
import { createBarClosedQueues, type BarClosedQueueSet } from "../../server/queues/bar-closed.ts";
import { queueConnection } from "../../server/redis/client.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import { AnalyticsWorker, type AnalyticsWorkerOptions } from "./analytics-worker.ts";
import { env } from "../../server/env.ts";

export const DATABASE_URL = env().DATABASE_URL;
export const REDIS_URL = env().REDIS_URL;

/** A fresh symbol id per test so tests never share rows: TEST:AN1A2B3C. */
export function uniqueSymbol(prefix = "AN"): string {
  return `TEST:${prefix}${randomBytes(3).toString("hex").toUpperCase()}`;
}

/** The first `count` fixture candles (BTC/USDT 1h) under `symbol`. */
export function fixtureBarsFor(symbol: string, count: number): Bar[] {
  return rowsToBars(fixtureRows().slice(0, count), symbol);
}

export async function storeBars(pool: pg.Pool, bars: readonly Bar[]): Promise<void> {
  for (let offset = 0; offset < bars.length; offset += 5_000) await upsertCandles(pool, bars.slice(offset, offset + 5_000));
}

export async function deleteStream(pool: pg.Pool, stream: StreamKey): Promise<void> {
  for (const table of ["candles", "indicators", "ml_features"]) {
    await pool.query(`DELETE FROM ${table} WHERE symbol = $1 AND timeframe = $2`, [stream.symbol, stream.timeframe]);
  }
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

/** A fail-fast command connection like the worker's own. */
export function commandRedis(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: true, commandTimeout: 5_000 });
  redis.on("error", () => undefined);
  return redis;
}

export interface TestWorker {
  worker: AnalyticsWorker;
  metrics: ReturnType<typeof createAnalyticsMetrics>;
  close(): Promise<void>;
}

/** An in-process analytics worker on the test's namespace (no sweep unless given). */
export async function startTestWorker(options: { pool: pg.Pool; keys: RedisKeys; partitions: number } & Partial<AnalyticsWorkerOptions>): Promise<TestWorker> {
  const redis = commandRedis();
  const metrics = createAnalyticsMetrics(new Registry(), { defaultMetrics: false });
  const worker = new AnalyticsWorker({
    redis,
    connection: queueConnection("worker", REDIS_URL),
    metrics,
    sweep: false,
    leaseTtlMs: 3_000,
    ...options,
  });
  await worker.start();
  await waitFor(() => worker.partitions.length === options.partitions, 10_000, "the worker to own every partition");
  return {
    worker,
    metrics,
    close: async () => {
      await worker.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

export function testQueues(keys: RedisKeys, partitions: number): BarClosedQueueSet {
  return createBarClosedQueues({ connection: queueConnection("producer", REDIS_URL), prefix: keys.queuePrefix(), partitions });
}

/** Count of indicator rows of a stream. */
export async function indicatorCount(pool: pg.Pool, stream: StreamKey): Promise<number> {
  const result = await pool.query<{ n: string }>("SELECT count(*) AS n FROM indicators WHERE symbol = $1 AND timeframe = $2", [stream.symbol, stream.timeframe]);
  return Number(result.rows[0]?.n ?? 0);
}

/** Waits until BullMQ reports nothing waiting, delayed or active on any partition. */
export async function waitDrained(queues: BarClosedQueueSet, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      for (let partition = 0; partition < queues.partitions; partition++) {
        const counts = await queues.queue(partition).getJobCounts("waiting", "active", "delayed", "prioritized");
        if (Object.values(counts).some((count) => count > 0)) return false;
      }
      return true;
    },
    timeoutMs,
    "the bar-closed queues to drain",
  );
}

/** Deletes every key of a namespace (queues, caches, leases). */
export async function clearNamespace(redis: Redis, namespace: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${namespace}:*`, "COUNT", 500);
    if (batch.length > 0) await redis.del(...batch);
    cursor = next;
  } while (cursor !== "0");
}
