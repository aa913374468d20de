/**
 * Storage benchmarks against the real PostgreSQL and Redis (DATABASE_URL / REDIS_URL):
 * - bulk candle insert through the collector's multi-row upsert (budget ≥ 100,000 rows/s),
 *   and the same rows again (idempotent replay: nothing changes);
 * - closed bar → stored in PostgreSQL and published on Redis (BarSink), p50/p99 (budget p99 < 100 ms),
 *   measured at a steady 200 closed bars/s, and the time until a pub/sub subscriber has it.
 * Run: node --import tsx bench/storage.bench.ts (npm run bench sets up the services).
 */
import { Redis } from "ioredis";
import pg from "pg";
import type { Bar } from "../server/domain/bars/bar.ts";
import { bulkUpsertCandles, upsertCandles } from "../server/db/candles.repo.ts";
import { redisKeys } from "../server/redis/keys.ts";
import { BarSink } from "../server/services/bar-sink.service.ts";
import type { BenchResult } from "./bench-result.ts";
import { env } from "../server/env.ts";

const databaseUrl = env().DATABASE_URL;
const redisUrl = env().REDIS_URL;
const BENCH_SYMBOL_PREFIX = "BENCH:";

function syntheticBars(count: number, symbols: number): Bar[] {
  const bars: Bar[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let index = 0; index < count; index += 1) {
    const price = 100 + Math.sin(index / 50) * 5;
    bars.push({
      symbol: `${BENCH_SYMBOL_PREFIX}S${index % symbols}`, timeframe: "1m", openTime: start + Math.floor(index / symbols) * 60_000,
      open: price, high: price + 1, low: price - 1, close: price + 0.5, volume: 10 + (index % 7), trades: 5, source: "rest",
    });
  }
  return bars;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function insertBench(pool: pg.Pool): Promise<BenchResult[]> {
  const bars = syntheticBars(200_000, 20);
  const clean = () => pool.query("DELETE FROM candles WHERE symbol LIKE $1", [`${BENCH_SYMBOL_PREFIX}%`]);
  const rate = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return bars.length / ((performance.now() - started) / 1000);
  };
  const single = async () => {
    for (let offset = 0; offset < bars.length; offset += 5_000) await upsertCandles(pool, bars.slice(offset, offset + 5_000));
  };
  await clean();
  const oneConnection = await rate(single);
  await clean();
  const parallel = await rate(() => bulkUpsertCandles(pool, bars, { concurrency: 2 }));
  const replay = await rate(() => bulkUpsertCandles(pool, bars, { concurrency: 2 }));
  await clean();
  const note = "200,000 new 1m rows, 20 symbols, batches of 5,000";
  return [
    { name: "bulk candle insert (bulkUpsertCandles, 2 connections)", value: parallel, unit: "rows/s", budget: "≥ 100,000 rows/s", note },
    { name: "candle insert, one connection (the collector's BarSink path)", value: oneConnection, unit: "rows/s", note },
    { name: "bulk upsert of the same rows again (idempotent replay, no row changes)", value: replay, unit: "rows/s", note },
  ];
}

async function latencyBench(pool: pg.Pool): Promise<BenchResult[]> {
  const namespace = `bench-${process.pid}`;
  const keys = redisKeys(namespace);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(redisUrl);
  const delivered: number[] = [];
  const received: number[] = [];
  const pushedAt = new Map<number, number>();
  const sink = new BarSink({
    pool, redis, keys, liveThrottleMs: 250,
    onDelivered: (_bars, enqueuedAt) => { const now = performance.now(); for (const at of enqueuedAt) delivered.push(now - at); },
    now: () => performance.now(),
  });
  await subscriber.psubscribe(`${namespace}:bars:*`);
  subscriber.on("pmessage", (_pattern, _channel, message) => {
    const { bar } = JSON.parse(message) as { bar: Bar };
    const at = pushedAt.get(bar.openTime);
    if (at !== undefined) received.push(performance.now() - at);
  });
  sink.start();
  const bars = syntheticBars(2_000, 10);
  for (const [index, bar] of bars.entries()) {
    pushedAt.set(bar.openTime * 100 + index, performance.now());
    bar.openTime = bar.openTime * 100 + index; // unique key per event for the subscriber
    sink.push({ kind: "closed", bar });
    await new Promise((resolve) => setTimeout(resolve, 5)); // ~200 closed bars/s
  }
  await sink.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await pool.query("DELETE FROM candles WHERE symbol LIKE $1", [`${BENCH_SYMBOL_PREFIX}%`]);
  const stale = await redis.keys(`${namespace}:*`);
  if (stale.length) await redis.del(...stale);
  await subscriber.quit();
  await redis.quit();
  delivered.sort((a, b) => a - b);
  received.sort((a, b) => a - b);
  const note = `${delivered.length} closed bars at ~200/s; batches every 20 ms`;
  return [
    { name: "closed bar → stored (PostgreSQL) and published (Redis), p50", value: percentile(delivered, 50), unit: "ms", note },
    { name: "closed bar → stored and published, p99", value: percentile(delivered, 99), unit: "ms", budget: "p99 < 100 ms", note },
    { name: "closed bar → received by a pub/sub subscriber, p99", value: percentile(received, 99), unit: "ms", note: `${received.length} received` },
  ];
}

export async function runStorageBench(): Promise<BenchResult[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  try {
    return [...(await insertBench(pool)), ...(await latencyBench(pool))];
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const result of await runStorageBench()) console.log(`${result.name}: ${result.value.toFixed(2)} ${result.unit}${result.budget ? `  (budget ${result.budget})` : ""}`);
}
