/**
 * Symbols added and removed while the Binance collector runs (real sockets, PostgreSQL, Redis):
 * - a symbol added with updateSymbols is subscribed on the open connection (SUBSCRIBE, no new connection),
 *   backfilled over REST and streaming within 5 s, healthy, with stored bars equal to the recording;
 *   removed, it is unsubscribed, leaves health, and nothing more of it is stored;
 * - with a small per-connection stream limit, new symbols open new connections (shards), each within the limit,
 *   and a shard left empty is closed.
 * The exchange serves the recorded BTC/USDT minutes under every ticker.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lastCandleTime, readCandleRange } from "../../server/db/candles.repo.ts";
import { env } from "../../server/env.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { counterValue, MINUTE, recordedRows, startHarness, symbolRow, waitFor } from "./binance.collector.harness.ts";

// tickers of their own (all serve the recorded BTC/USDT minutes), so test files running in parallel never share candles
const BTC = symbolRow("LSAUSDT");
const ETH = symbolRow("LSBUSDT");
const BNB = symbolRow("LSCUSDT");
const dayStart = Date.UTC(2023, 3, 2);
const streams = (row: { ticker: string }) => [`${row.ticker.toLowerCase()}@aggTrade`, `${row.ticker.toLowerCase()}@kline_1m`];

describe("Binance collector: symbols added and removed at runtime", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const namespace = `${env().MARKETLENS_NAMESPACE}-syms-${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  beforeEach(async () => {
    for (const row of [BTC, ETH, BNB]) {
      await pool.query("DELETE FROM candles WHERE symbol = $1", [row.id]);
      await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [row.id]);
    }
  });

  afterAll(async () => {
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("subscribes a new symbol on the open connection, streaming within 5 s; removing it unsubscribes it", async () => {
    const harness = await startHarness({
      served: [BTC.ticker, ETH.ticker], symbols: [BTC], startAt: dayStart + 60 * MINUTE + 30_000, speed: 60, initialBackfillBars: 60, pool, redis, namespace,
    });
    try {
      const { collector, server } = harness;
      const lastBar = (id: string) => collector.lastBar(id) ?? 0;
      await waitFor(() => collector.health().status === "healthy" && lastBar(BTC.id) >= dayStart + 62 * MINUTE, 20_000, "BTC live");
      expect(collector.health().symbols[ETH.id]).toBeUndefined();
      const btcAtAdd = lastBar(BTC.id);

      const added = Date.now();
      await collector.updateSymbols([BTC, ETH]);
      // backfilled from the day boundary, then live: a minute that closed after the add
      await waitFor(() => collector.health().symbols[ETH.id]?.status === "healthy" && lastBar(ETH.id) > btcAtAdd, 5_000 - (Date.now() - added), "ETH streaming within 5 s");
      expect(collector.health().status).toBe("healthy");
      expect(server.wsStats.connectionsOpened).toBe(1); // subscribed on the open connection
      expect(server.wsStats.controlMessages.SUBSCRIBE).toBe(1);
      expect(server.connectionStreams()).toEqual([new Set([...streams(BTC), ...streams(ETH)])]);
      const ethLive = lastBar(ETH.id) + MINUTE;
      await waitFor(() => lastBar(ETH.id) >= ethLive + MINUTE, 10_000, "more live ETH minutes");

      await collector.updateSymbols([BTC]);
      expect(collector.health().symbols[ETH.id]).toBeUndefined();
      expect(server.connectionStreams()).toEqual([new Set(streams(BTC))]);
      expect(server.wsStats.controlMessages.UNSUBSCRIBE).toBe(1);
      expect(await counterValue(harness.metrics.controlMessages)).toBe(2);
      await harness.sink.flush();
      const ethLast = (await lastCandleTime(pool, ETH.id, "1m"))!;
      const btcAtRemove = lastBar(BTC.id);
      await waitFor(() => lastBar(BTC.id) >= btcAtRemove + 3 * MINUTE, 10_000, "BTC keeps streaming");
      await harness.sink.flush();
      await waitFor(() => harness.sink.backlog === 0, 10_000, "sink drained");
      expect(await lastCandleTime(pool, ETH.id, "1m")).toBe(ethLast); // no ETH frame processed after the removal
      expect(collector.health().status).toBe("healthy");

      // ETH's stored minutes: the recording, from the backfill's day boundary to its last live minute
      const recorded = recordedRows();
      const stored = await readCandleRange(pool, { symbol: ETH.id, timeframe: "1m", from: dayStart, to: ethLast + MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (ethLast - dayStart) / MINUTE + 1 }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) expect([bar.open, bar.high, bar.low, bar.close], new Date(bar.openTime).toISOString()).toEqual(recorded.get(bar.openTime)!.slice(1, 5));
      expect(new Set(stored.map((bar) => bar.source))).toEqual(new Set(["rest", "kline"]));
      expect(stored.filter((bar) => bar.openTime >= ethLive).every((bar) => bar.source === "kline")).toBe(true);
    } finally {
      await harness.stop();
    }
  }, 90_000);

  it("opens a new connection when the open ones are full, and closes a connection left empty", async () => {
    const harness = await startHarness({
      served: [BTC.ticker, ETH.ticker, BNB.ticker], symbols: [BTC], startAt: dayStart + 60 * MINUTE + 30_000, speed: 60, initialBackfillBars: 60, pool, redis, namespace,
      collector: { maxStreamsPerConnection: 2 }, // one symbol (aggTrade + kline_1m) per connection
    });
    try {
      const { collector, server } = harness;
      await waitFor(() => collector.health().status === "healthy", 20_000, "BTC healthy");
      const added = Date.now();
      await collector.updateSymbols([BTC, ETH, BNB]);
      const allHealthy = () => [BTC, ETH, BNB].every((row) => collector.health().symbols[row.id]?.status === "healthy");
      await waitFor(() => allHealthy() && collector.health().status === "healthy", 5_000 - (Date.now() - added), "three symbols healthy within 5 s");
      expect(collector.health().connections?.map((connection) => connection.streams)).toEqual([2, 2, 2]);
      expect(server.connectionStreams().map((streams) => streams.size).sort()).toEqual([2, 2, 2]);
      const btcBefore = collector.lastBar(BTC.id) ?? 0;
      await waitFor(() => [ETH, BNB].every((row) => (collector.lastBar(row.id) ?? 0) > btcBefore), 10_000, "ETH and BNB live minutes");

      await collector.updateSymbols([BTC, BNB]);
      await waitFor(() => server.connections === 2, 5_000, "the empty connection closed");
      expect(collector.health().connections).toHaveLength(2);
      expect(server.connectionStreams().flatMap((streams) => [...streams]).sort()).toEqual([...streams(BTC), ...streams(BNB)].sort());
      expect(server.wsStats.controlMessages.SUBSCRIBE ?? 0).toBe(0); // every symbol got its own connection
      expect(collector.health().status).toBe("healthy");
    } finally {
      await harness.stop();
    }
  }, 90_000);

  it("one shard down: the other keeps streaming, the down one's minutes wait for its repair (no bar closed from partial data)", async () => {
    const subscriber = new Redis(env().REDIS_URL);
    const events: Array<{ kind: string; openTime: number }> = [];
    await subscriber.subscribe(redisKeys(namespace).barChannel(ETH.id, "1m"));
    subscriber.on("message", (_channel, message) => {
      const event = JSON.parse(message) as { kind: string; bar: { openTime: number } };
      if (event.kind !== "live") events.push({ kind: event.kind, openTime: event.bar.openTime });
    });
    const harness = await startHarness({
      served: [BTC.ticker, ETH.ticker], symbols: [BTC, ETH], startAt: dayStart + 60 * MINUTE + 30_000, speed: 60, initialBackfillBars: 60, pool, redis, namespace,
      collector: { maxStreamsPerConnection: 2, streamBreakerOptions: { failureThreshold: 1_000 } },
    });
    try {
      const { collector, server } = harness;
      const lastBar = (id: string) => collector.lastBar(id) ?? 0;
      await waitFor(() => collector.health().status === "healthy" && lastBar(ETH.id) >= dayStart + 62 * MINUTE, 20_000, "both live");
      // ETH's connection drops and cannot come back for a while (about 3 virtual minutes); BTC's stays up
      server.faults = { refuseConnections: true };
      server.dropConnectionsCarrying(streams(ETH)[0]!);
      const btcAtDrop = lastBar(BTC.id);
      const ethAtDrop = lastBar(ETH.id);
      await waitFor(() => lastBar(BTC.id) >= btcAtDrop + 3 * MINUTE, 10_000, "BTC streaming while ETH is down");
      expect(collector.health().status).toBe("reconnecting");
      expect(lastBar(ETH.id)).toBe(ethAtDrop); // nothing of ETH closed without its data
      server.faults = {};
      await waitFor(() => collector.health().status === "healthy" && lastBar(ETH.id) >= lastBar(BTC.id), 15_000, "ETH repaired and live again");
      await waitFor(() => lastBar(ETH.id) >= lastBar(BTC.id) + MINUTE || lastBar(ETH.id) >= ethAtDrop + 6 * MINUTE, 10_000, "ETH live minutes after the repair");
      const end = lastBar(ETH.id);
      await harness.sink.flush();
      await waitFor(() => harness.sink.backlog === 0, 10_000, "sink drained");
      const recorded = recordedRows();
      const stored = await readCandleRange(pool, { symbol: ETH.id, timeframe: "1m", from: dayStart, to: end + MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (end - dayStart) / MINUTE + 1 }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) expect([bar.open, bar.high, bar.low, bar.close], new Date(bar.openTime).toISOString()).toEqual(recorded.get(bar.openTime)!.slice(1, 5));
      // every ETH minute was published closed once, with its final values: no revision of a bar closed too early
      const closed = events.filter((event) => event.kind === "closed").map((event) => event.openTime);
      expect(new Set(closed).size).toBe(closed.length);
      expect(events.filter((event) => event.kind === "revision" && event.openTime > ethAtDrop)).toEqual([]);
    } finally {
      await harness.stop();
      await subscriber.quit();
    }
  }, 90_000);
});
