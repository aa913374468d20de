/**
 * The Binance 24-hour rollover, with compressed times: the replay exchange cuts every connection at 1.5 s (as
 * Binance does at 24 h) and the collector replaces its connection after 1 s (open the new socket, switch when it
 * streams, close the old one). Over several rollovers the stored 1m bars equal the recording with no missing and
 * no duplicated bar, every live minute comes from the stream (no gap repair ran after the start), the exchange
 * never had to cut a connection, nothing reconnected, and the overlap's duplicate trades were dropped.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import { env } from "../../server/env.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { counterValue, MINUTE, recordedRows, startHarness, symbolRow, waitFor } from "./binance.collector.harness.ts";

// a ticker of its own (the recorded BTC/USDT minutes), so test files running in parallel never share candles
const TICKER = "ROLLUSDT";
const SYMBOL = `BINANCE:${TICKER}`;

describe("Binance collector: connection rollover before the 24-hour cut", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const namespace = `${env().MARKETLENS_NAMESPACE}-roll-${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("replaces the connection again and again with no missing, no duplicated bar and no gap repair", async () => {
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [SYMBOL]);
    const dayStart = Date.UTC(2023, 3, 2);
    const subscriber = new Redis(env().REDIS_URL);
    const closedEvents: number[] = [];
    await subscriber.subscribe(redisKeys(namespace).barChannel(SYMBOL, "1m"));
    subscriber.on("message", (_channel, message) => {
      const event = JSON.parse(message) as { kind: string; bar: { openTime: number } };
      if (event.kind === "closed") closedEvents.push(event.bar.openTime);
    });
    const harness = await startHarness({
      served: [TICKER],
      symbols: [symbolRow(TICKER)],
      startAt: dayStart + 60 * MINUTE + 30_000,
      speed: 60,
      initialBackfillBars: 60,
      pool,
      redis,
      namespace,
      server: { maxConnectionAgeMs: 1_500 },
      collector: { streamOptions: { initialBackoffMs: 100, maxBackoffMs: 500, refreshAfterMs: 1_000, overlapMs: 150 } },
    });
    try {
      const lastBar = () => harness.collector.lastBar(SYMBOL) ?? 0;
      const connection = () => harness.collector.health().connections![0]!;
      await waitFor(() => harness.collector.health().status === "healthy", 20_000, "healthy after the initial repair");
      const repairedAtStart = await counterValue(harness.metrics.gapBarsBackfilled);
      const firstLive = lastBar() + MINUTE;
      await waitFor(() => connection().rollovers >= 4 && lastBar() >= firstLive + 5 * MINUTE, 30_000, "four rollovers and five live minutes");
      const health = harness.collector.health();
      expect(health.status).toBe("healthy");
      expect(health.reconnects).toBe(0); // never a lost connection, so never a repair
      expect(health.connections).toHaveLength(1);
      expect(harness.server.wsStats.ageDisconnects).toBe(0); // we always switched before the exchange's cut
      expect(harness.server.wsStats.connectionsOpened).toBeGreaterThanOrEqual(5);
      expect(await counterValue(harness.metrics.gapBarsBackfilled)).toBe(repairedAtStart);
      expect(await counterValue(harness.metrics.duplicateTrades)).toBeGreaterThan(0); // both sockets delivered during the overlaps
      expect(await counterValue(harness.metrics.streamRollovers)).toBe(connection().rollovers);

      const end = lastBar();
      await harness.sink.flush();
      await waitFor(() => harness.sink.backlog === 0, 10_000, "sink drained");
      const recorded = recordedRows();
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart, to: end + MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (end - dayStart) / MINUTE + 1 }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) {
        const row = recorded.get(bar.openTime)!;
        expect([bar.open, bar.high, bar.low, bar.close], new Date(bar.openTime).toISOString()).toEqual(row.slice(1, 5));
        expect(bar.volume).toBeCloseTo(row[5]!, 8);
      }
      // every minute after the start came from the stream (kline x:true), none from a repair
      expect(stored.filter((bar) => bar.openTime >= firstLive).every((bar) => bar.source === "kline")).toBe(true);
      // each minute closed exactly once
      const live = closedEvents.filter((openTime) => openTime >= firstLive);
      expect(live.length).toBeGreaterThanOrEqual(5);
      expect(new Set(live).size).toBe(live.length);
    } finally {
      await harness.stop();
      await subscriber.quit();
    }
  }, 90_000);
});
