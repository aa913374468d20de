/**
 * The Binance collector against the replay exchange (real Binance protocol, recorded BTC/USDT 1m data),
 * real PostgreSQL and Redis: stored bars equal the recording across a forced disconnect and a
 * serverShutdown, with injected duplicate, out-of-order and malformed frames; exchange holes are
 * recorded as known gaps, not invented; while the exchange refuses connections and fails REST the stream
 * circuit breaker opens (health "down"), no connect is attempted while open, and the collector recovers with
 * no missing bars.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { FakeBinanceServer } from "../../server/replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../../server/replay/replay-dataset.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import { BinanceRestClient } from "../../server/sources/binance/binance-rest.ts";
import type { BreakerOptions } from "../../server/sources/circuit-breaker.ts";
import { BinanceCollector } from "./binance.collector.ts";
import { env } from "../../server/env.ts";

const MINUTE = 60_000;
const root = path.resolve(import.meta.dirname, "..", "..");
const databaseUrl = env().DATABASE_URL;
const redisUrl = env().REDIS_URL;
const SYMBOL = "BINANCE:BTCUSDT";

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Harness {
  server: FakeBinanceServer;
  collector: BinanceCollector;
  sink: BarSink;
  metrics: ReturnType<typeof createCollectorMetrics>;
  stop(): Promise<void>;
}

async function startHarness(options: { file: string; startAt: number; speed: number; initialBackfillBars: number; maxRepairBars?: number; faults?: FakeBinanceServer["faults"]; breakerOptions?: BreakerOptions; stableAfterMs?: number; pool: pg.Pool; redis: Redis; namespace: string }): Promise<Harness> {
  const dataset = ReplayDataset.fromFile("BTCUSDT", path.join(root, options.file));
  // virtual time = recorded time, and nothing outside the recording
  const anchored = ReplayDataset.fromFile("BTCUSDT", path.join(root, options.file), dataset.firstRecorded, false);
  const server = new FakeBinanceServer({ datasets: [anchored], clock: new ReplayClock(options.startAt, options.speed), faults: options.faults });
  await server.listen();
  const metrics = createCollectorMetrics();
  const sink = new BarSink({ pool: options.pool, redis: options.redis, keys: redisKeys(options.namespace), metrics, liveThrottleMs: 50 });
  sink.start();
  const collector = new BinanceCollector({
    mode: "replay",
    wsUrl: server.wsUrl,
    rest: new BinanceRestClient({ baseUrl: server.url, breakerOptions: options.breakerOptions }),
    pool: options.pool,
    sink,
    metrics,
    symbols: [{ id: SYMBOL, exchange: "BINANCE", ticker: "BTCUSDT", assetClass: "crypto", displayName: "BTC", active: true, calendar: "CRYPTO" },
      { id: "BINANCE:SOLUSDT", exchange: "BINANCE", ticker: "SOLUSDT", assetClass: "crypto", displayName: "SOL", active: true, calendar: "CRYPTO" }],
    latenessMs: 2_000,
    initialBackfillBars: options.initialBackfillBars,
    maxRepairBars: options.maxRepairBars,
    streamOptions: { initialBackoffMs: 100, maxBackoffMs: 500, stableAfterMs: options.stableAfterMs },
    streamBreakerOptions: options.breakerOptions,
  });
  await collector.start();
  return {
    server, collector, sink, metrics,
    async stop() {
      await collector.stop();
      await sink.close();
      await server.close();
    },
  };
}

function recordedRows(file: string): Map<number, number[]> {
  const rows = JSON.parse(readFileSync(path.join(root, file), "utf8")) as number[][];
  return new Map(rows.map((row) => [row[0]!, row]));
}

async function counterValue(counter: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, item) => sum + item.value, 0);
}

describe("Binance collector over the replay exchange", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const namespace = `itest-${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: databaseUrl });
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("stores bars equal to the recorded klines across a disconnect and a serverShutdown, with no gaps or duplicates", async () => {
    const file = "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json";
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [SYMBOL]);
    const dayStart = Date.UTC(2023, 3, 2); // 2023-04-02T00:00Z
    const startAt = dayStart + 2 * 60 * MINUTE + 30_000; // 02:00:30 virtual: 120 closed minutes to backfill
    const subscriber = new Redis(redisUrl);
    const seqs: number[] = [];
    await subscriber.subscribe(redisKeys(namespace).barChannel(SYMBOL, "1m"));
    subscriber.on("message", (_channel, message) => {
      const event = JSON.parse(message) as { kind: string; seq: number };
      seqs.push(event.seq);
    });
    const harness = await startHarness({ file, startAt, speed: 60, initialBackfillBars: 60, faults: { duplicateEvery: 7, outOfOrderEvery: 11, malformedEvery: 13 }, pool, redis, namespace });
    try {
      const lastBar = () => harness.collector.lastBar(SYMBOL) ?? 0;
      await waitFor(() => harness.collector.health().status === "healthy", 20_000, "healthy after initial repair");
      expect(harness.collector.health().symbols["BINANCE:SOLUSDT"]).toMatchObject({ status: "unavailable", reason: "No recorded data for BINANCE:SOLUSDT in replay mode" });
      const backfilled = await counterValue(harness.metrics.gapBarsBackfilled);
      expect(backfilled).toBeGreaterThanOrEqual(120); // 00:00–01:59, plus any minute that closed while starting under load
      await waitFor(() => lastBar() >= dayStart + 124 * MINUTE, 20_000, "live bars");
      // a network failure in the middle of a minute
      await waitFor(() => harness.server.connections > 0, 5_000, "connection");
      const beforeDrop = lastBar();
      harness.server.dropConnections();
      await waitFor(() => harness.collector.health().status === "healthy" && lastBar() >= beforeDrop + 3 * MINUTE, 30_000, "recovery after a dropped connection");
      // an orderly serverShutdown: the connection is replaced (rollover), or, if the old socket goes first, reconnected
      const beforeShutdown = lastBar();
      harness.server.shutdownConnections();
      const replaced = () => (harness.collector.health().connections?.[0]?.rollovers ?? 0) >= 1 || harness.collector.health().reconnects >= 2;
      await waitFor(replaced, 10_000, "new connection after serverShutdown");
      await waitFor(() => harness.collector.health().status === "healthy" && lastBar() >= beforeShutdown + 3 * MINUTE, 30_000, "recovery after serverShutdown");
      const end = lastBar();
      await harness.sink.flush();
      await waitFor(() => harness.sink.backlog === 0, 10_000, "sink drained");

      const recorded = recordedRows(file);
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart, to: end + MINUTE });
      const expectedCount = (end - dayStart) / MINUTE + 1;
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: expectedCount }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) {
        const row = recorded.get(bar.openTime)!;
        expect([bar.open, bar.high, bar.low, bar.close], new Date(bar.openTime).toISOString()).toEqual(row.slice(1, 5));
        expect(bar.volume).toBeCloseTo(row[5]!, 8);
        expect(bar.source === "rest" || bar.source === "kline").toBe(true);
      }
      expect(new Set(stored.map((bar) => bar.source))).toEqual(new Set(["rest", "kline"]));
      // 5m bars are the aggregation of the recorded minutes
      const fives = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "5m", from: dayStart, to: end - 5 * MINUTE });
      expect(fives.length).toBeGreaterThan(20);
      for (const bar of fives) {
        const rows = [0, 1, 2, 3, 4].map((i) => recorded.get(bar.openTime + i * MINUTE)!);
        expect([bar.open, bar.high, bar.low, bar.close]).toEqual([rows[0]![1], Math.max(...rows.map((r) => r[2]!)), Math.min(...rows.map((r) => r[3]!)), rows[4]![4]]);
      }
      expect(await counterValue(harness.metrics.reconnects)).toBeGreaterThanOrEqual(1);
      expect(await counterValue(harness.metrics.framesRejected)).toBeGreaterThan(0);
      // Redis holds the cache, and pub/sub events were numbered without gaps
      const cached = await redis.zrangebyscore(redisKeys(namespace).bars(SYMBOL, "1m"), dayStart, end);
      expect(cached.map((member) => (JSON.parse(member) as Bar).openTime)).toEqual(stored.map((bar) => bar.openTime));
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    } finally {
      await harness.stop();
      await subscriber.quit();
    }
  }, 120_000);

  it("records the exchange's own hole as a known gap and invents no bars in it", async () => {
    const file = "fixtures/binance/ohlcv/BTCUSDT-1m-20230324-outage-gap.json";
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [SYMBOL]);
    const startAt = Date.UTC(2023, 2, 24, 14, 10, 30);
    const harness = await startHarness({ file, startAt, speed: 30, initialBackfillBars: 600, pool, redis, namespace });
    try {
      await waitFor(() => harness.collector.health().status === "healthy", 20_000, "healthy after repair");
      await waitFor(() => (harness.collector.lastBar(SYMBOL) ?? 0) >= Date.UTC(2023, 2, 24, 14, 11), 20_000, "a live bar");
      await harness.sink.flush();
      const gaps = await pool.query<{ start: Date; end: Date }>("SELECT gap_start AS start, gap_end AS end FROM known_gaps WHERE symbol = $1", [SYMBOL]);
      expect(gaps.rows.map((row) => [row.start.toISOString(), row.end.toISOString()])).toEqual([["2023-03-24T12:40:00.000Z", "2023-03-24T14:00:00.000Z"]]);
      const inHole = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: Date.UTC(2023, 2, 24, 12, 40), to: Date.UTC(2023, 2, 24, 14, 0) });
      expect(inHole).toEqual([]);
      const around = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: Date.UTC(2023, 2, 24, 11, 0), to: Date.UTC(2023, 2, 24, 14, 10) });
      expect(around.length).toBe(100 + 10); // 11:00–12:39 and 14:00–14:09
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("after an outage longer than the repair window, repairs the window and records the older hole", async () => {
    const file = "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json";
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [SYMBOL]);
    // the last stored bar is two days before the replay's "now" (2023-04-03 01:00:30)
    await pool.query("INSERT INTO candles VALUES ($1, '1m', '2023-04-01 00:00+00', 28465.36, 28481.48, 28465.36, 28480.07, 26.31939, 20, 'rest')", [SYMBOL]);
    const startAt = Date.UTC(2023, 3, 3, 1, 0, 30);
    const harness = await startHarness({ file, startAt, speed: 10, initialBackfillBars: 60, maxRepairBars: 120, pool, redis, namespace });
    try {
      await waitFor(() => harness.collector.health().status === "healthy", 20_000, "healthy after a capped repair");
      await harness.sink.flush();
      const gaps = await pool.query<{ start: Date; end: Date; reason: string }>("SELECT gap_start AS start, gap_end AS end, reason FROM known_gaps WHERE symbol = $1", [SYMBOL]);
      // window = 120 minutes back from 01:00 → 23:00 on the 2nd, aligned down to the UTC day: 2023-04-02T00:00
      expect(gaps.rows.map((row) => [row.start.toISOString(), row.end.toISOString()])).toEqual([["2023-04-01T00:01:00.000Z", "2023-04-02T00:00:00.000Z"]]);
      expect(gaps.rows[0]!.reason).toContain("not repaired");
      const repaired = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: Date.UTC(2023, 3, 2), to: Date.UTC(2023, 3, 3, 1) });
      expect(repaired.length).toBe(25 * 60); // every minute of the window, none invented before it
      const before = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: Date.UTC(2023, 3, 1, 0, 1), to: Date.UTC(2023, 3, 2) });
      expect(before).toEqual([]);
    } finally {
      await harness.stop();
    }
  }, 60_000);

  it("opens the stream circuit while the exchange refuses connections and 500s, reports it, then recovers with no gaps", async () => {
    const file = "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json";
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [SYMBOL]);
    const dayStart = Date.UTC(2023, 3, 2);
    const startAt = dayStart + 60 * MINUTE + 30_000;
    const halfOpenAfterMs = 2_500;
    const harness = await startHarness({ file, startAt, speed: 60, initialBackfillBars: 60, breakerOptions: { halfOpenAfterMs }, stableAfterMs: 300, pool, redis, namespace });
    try {
      const lastBar = () => harness.collector.lastBar(SYMBOL) ?? 0;
      const breakers = () => harness.collector.health().breakers;
      await waitFor(() => harness.collector.health().status === "healthy" && breakers().stream.state === "closed", 20_000, "healthy");
      expect(breakers().rest).toMatchObject({ state: "closed", failures: 0 });
      await waitFor(() => lastBar() >= dayStart + 62 * MINUTE, 20_000, "live bars");
      const beforeOutage = lastBar();
      // the exchange goes away: WebSocket upgrades refused with 503, REST answers 500
      harness.server.faults = { refuseConnections: true, restStatus: 500 };
      harness.server.dropConnections();
      await waitFor(() => breakers().stream.state === "open", 15_000, "stream circuit open");
      const down = harness.collector.health();
      expect(down.status).toBe("down");
      expect(down.reason).toMatch(/stream circuit open .* after 5 consecutive failed connects/);
      expect(down.breakers.stream).toMatchObject({ state: "open", failures: 5 });
      expect((await harness.metrics.circuitState.get()).values.find((v) => v.labels.kind === "stream")?.value).toBe(2);
      // fail fast: no connect attempt while open (each failed attempt is a reconnect)
      const reconnectsWhileOpen = down.reconnects;
      await new Promise((resolve) => setTimeout(resolve, halfOpenAfterMs / 2));
      expect(harness.collector.health().reconnects).toBe(reconnectsWhileOpen);
      // the exchange comes back: the half-open probe connects, 2 successes close the circuit, the gap is repaired
      harness.server.faults = {};
      await waitFor(() => harness.collector.health().status === "healthy" && breakers().stream.state === "closed", 20_000, "recovery");
      await waitFor(() => lastBar() >= beforeOutage + 3 * MINUTE, 20_000, "bars after recovery");
      const transitions = (await harness.metrics.circuitTransitions.get()).values.filter((v) => v.labels.kind === "stream");
      expect(Object.fromEntries(transitions.map((v) => [v.labels.to, v.value]))).toMatchObject({ open: expect.any(Number), "half-open": expect.any(Number), closed: expect.any(Number) });
      expect((await harness.metrics.circuitState.get()).values.find((v) => v.labels.kind === "stream")?.value).toBe(0);
      const end = lastBar();
      await harness.sink.flush();
      await waitFor(() => harness.sink.backlog === 0, 10_000, "sink drained");
      const recorded = recordedRows(file);
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart, to: end + MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (end - dayStart) / MINUTE + 1 }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) expect([bar.open, bar.high, bar.low, bar.close]).toEqual(recorded.get(bar.openTime)!.slice(1, 5));
      const gaps = await pool.query("SELECT 1 FROM known_gaps WHERE symbol = $1", [SYMBOL]);
      expect(gaps.rowCount).toBe(0);
    } finally {
      await harness.stop();
    }
  }, 90_000);
});
