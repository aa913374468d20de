/**
 * Data quality in the Binance collector (issue 4) against the replay exchange, real PostgreSQL and Redis: the
 * exchange injects bad prints (every Nth trade's price × 1.2); the quality gate rejects them before the bar
 * builder, they land in quarantine (never in candles, which still equal the recording), the per-check counter
 * counts them, and the score is kept in Redis and data_quality_metrics. Uses the BTC/USDT recording under its own
 * ticker (BTCQUALITY + run id) so it never touches the rows other tests (or other runs) own.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import { readLatestQualityMetric, readRecentQuarantine } from "../../server/db/quality.repo.ts";
import type { Trade } from "../../server/domain/bars/bar.ts";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { FakeBinanceServer } from "../../server/replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../../server/replay/replay-dataset.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import type { StoredQualitySnapshot } from "../../server/services/quality-sink.service.ts";
import { BinanceRestClient } from "../../server/sources/binance/binance-rest.ts";
import { BinanceCollector } from "./binance.collector.ts";
import { env } from "../../server/env.ts";

const MINUTE = 60_000;
const root = path.resolve(import.meta.dirname, "..", "..");
// BTCQUALITY + a run id: concurrent runs of this file (two engineers, one database) never share rows
const TICKER = `BTCQUALITY${randomBytes(2).toString("hex").toUpperCase()}`;
const SYMBOL = `BINANCE:${TICKER}`;
const FILE = "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json";

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Binance collector data quality over the replay exchange", () => {
  const config = env();
  const namespace = `itest-quality-${randomBytes(3).toString("hex")}`;
  const keys = redisKeys(namespace);
  let pool: pg.Pool;
  let redis: Redis;

  const cleanup = async () => {
    for (const table of ["candles", "known_gaps", "quarantine", "data_quality_metrics"]) await pool.query(`DELETE FROM ${table} WHERE symbol = $1`, [SYMBOL]);
  };

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: config.DATABASE_URL });
    redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    await cleanup();
  });

  afterAll(async () => {
    await cleanup();
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("quarantines bad prints, keeps candles equal to the recording, and keeps the score in Redis and PostgreSQL", async () => {
    const dataset = ReplayDataset.fromFile(TICKER, path.join(root, FILE));
    const anchored = ReplayDataset.fromFile(TICKER, path.join(root, FILE), dataset.firstRecorded, false);
    const dayStart = Date.UTC(2023, 3, 2);
    const startAt = dayStart + 60 * MINUTE + 30_000; // 01:00:30 virtual: 60 closed minutes repaired over REST
    const server = new FakeBinanceServer({ datasets: [anchored], clock: new ReplayClock(startAt, 60), faults: { spikeEvery: 37 } });
    await server.listen();
    const metrics = createCollectorMetrics();
    const sink = new BarSink({ pool, redis, keys, metrics, liveThrottleMs: 50 });
    sink.start();
    const collector = new BinanceCollector({
      mode: "replay",
      wsUrl: server.wsUrl,
      rest: new BinanceRestClient({ baseUrl: server.url }),
      pool,
      sink,
      metrics,
      symbols: [{ id: SYMBOL, exchange: "BINANCE", ticker: TICKER, assetClass: "crypto", displayName: "BTC quality", active: true, calendar: "CRYPTO" }],
      latenessMs: 2_000,
      initialBackfillBars: 60,
      streamOptions: { initialBackoffMs: 100, maxBackoffMs: 500 },
      quality: { redis, keys, flushIntervalMs: 100, snapshotIntervalMs: 200, historyIntervalMs: 500 },
    });
    let stopped = false;
    try {
      await collector.start();
      const lastBar = () => collector.lastBar(SYMBOL) ?? 0;
      await waitFor(() => collector.health().status === "healthy", 20_000, "healthy after the initial repair");
      await waitFor(() => lastBar() >= dayStart + 72 * MINUTE, 30_000, "12 live minutes");
      const end = lastBar();
      await waitFor(async () => (await redis.get(keys.quality(SYMBOL))) !== null, 5_000, "the Redis quality snapshot");
      await waitFor(async () => (await readLatestQualityMetric(pool, SYMBOL)) !== null, 5_000, "a data_quality_metrics row");
      await collector.stop();
      await sink.close();
      stopped = true;

      // candles: exactly the recording, spikes or not
      const recorded = new Map((JSON.parse(readFileSync(path.join(root, FILE), "utf8")) as number[][]).map((row) => [row[0]!, row]));
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart, to: end + MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (end - dayStart) / MINUTE + 1 }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) {
        const row = recorded.get(bar.openTime)!;
        expect([bar.open, bar.high, bar.low, bar.close], new Date(bar.openTime).toISOString()).toEqual(row.slice(1, 5));
        expect(bar.volume).toBeCloseTo(row[5]!, 8);
      }

      // quarantine: the spiked trades, each ~20% above the market, and no bar
      const rejected = (await metrics.qualityRejected.get()).values;
      const anomalies = rejected.filter((value) => value.labels.check === "price_anomaly").reduce((sum, value) => sum + value.value, 0);
      expect(anomalies).toBeGreaterThanOrEqual(3);
      expect(rejected.filter((value) => value.labels.check !== "price_anomaly" && value.value > 0)).toEqual([]);
      const count = await pool.query<{ kind: string; n: string }>("SELECT kind, count(*)::text AS n FROM quarantine WHERE symbol = $1 GROUP BY kind", [SYMBOL]);
      expect(count.rows).toEqual([{ kind: "trade", n: String(anomalies) }]);
      const recent = await readRecentQuarantine(pool, SYMBOL, 20);
      expect(recent.length).toBe(Math.min(20, anomalies));
      for (const item of recent) {
        expect(item.checks.map((issue) => issue.check)).toContain("price_anomaly");
        const trade = item.payload as Trade;
        const minute = recorded.get(Math.floor(trade.time / MINUTE) * MINUTE)!;
        expect(trade.price).toBeGreaterThan(minute[2]! * 1.1); // far above the recorded high of its minute
        expect(item.eventTime).toBe(trade.time);
      }

      // score: below 100 (rejections in the window), well above the red zone; stored in Redis and PostgreSQL
      const snapshot = JSON.parse((await redis.get(keys.quality(SYMBOL)))!) as StoredQualitySnapshot;
      expect(snapshot).toMatchObject({ symbol: SYMBOL, source: "binance", totalRejected: anomalies, windowRejected: anomalies });
      // the gate counts issues (a spike breaks both the jump and the z-score rule), the metric counts items per check
      expect(snapshot.issuesByCheck.price_anomaly).toBeGreaterThanOrEqual(anomalies);
      expect(snapshot.issuesByCheck).toMatchObject({ stale: 0, invalid_value: 0, volume_spike: 0 });
      expect(snapshot.score).toBeLessThan(100);
      expect(snapshot.score).toBeGreaterThan(90);
      expect(snapshot.totalItems).toBeGreaterThan(60 + 12 * 20);
      const history = await readLatestQualityMetric(pool, SYMBOL);
      expect(history).toMatchObject({ symbol: SYMBOL, score: snapshot.score, windowRejected: anomalies });
      expect((await metrics.qualityScore.get()).values.find((value) => value.labels.symbol === SYMBOL)?.value).toBe(snapshot.score);
    } finally {
      if (!stopped) {
        await collector.stop();
        await sink.close();
      }
      await server.close();
    }
  }, 90_000);
});
