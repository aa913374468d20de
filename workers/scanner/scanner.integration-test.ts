/**
 * The scanner worker end to end on real PostgreSQL and Redis: symbols and screens in the database, one
 * symbol's history in the Redis bar cache before start (bootstrap), then bars published by the collector's
 * own BarSink and analytics events on the analytics channel. The toplist ZSETs, the screens' ZSETs and the
 * `scanner:updates` messages must reflect them within a few cycles; screens reload on the change channel.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import type { RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { env } from "../../server/env.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import type { AnalyticsEvent } from "../../server/services/analytics-latest.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import { createScannerMetrics } from "./scanner-metrics.ts";
import type { ScannerUpdate } from "./scanner-messages.ts";
import { ScannerWorker } from "./scanner-worker.ts";

const namespace = `test-scanner-${randomBytes(3).toString("hex")}`;
const keys = redisKeys(namespace);
const tag = randomBytes(3).toString("hex").toUpperCase();
const [A, B, C, D] = ["A", "B", "C", "D"].map((name) => `TESTSCAN:${name}${tag}`) as [string, string, string, string];
const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 21, 15, 30);
const DAY = Date.UTC(2026, 10, 21);

const bar = (symbol: string, timeframe: Bar["timeframe"], openTime: number, close: number, extra: Partial<Bar> = {}): Bar => ({
  symbol, timeframe, openTime, open: close, high: close, low: close, close, volume: 10, trades: 1, source: "trades", ...extra,
});

const rsiScreen = (threshold: number): RuleDocument => ({ name: "oversold", timeframe: "1m", when: { all: [{ metric: "rsi14", op: "<", value: threshold }] } });

async function waitFor<T>(condition: () => Promise<T | false | null | undefined> | T | false | null | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("scanner worker (real PostgreSQL and Redis)", () => {
  const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
  const redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  const subscriber = new Redis(env().REDIS_URL, { maxRetriesPerRequest: null });
  const listener = new Redis(env().REDIS_URL, { maxRetriesPerRequest: null });
  const updates: ScannerUpdate[] = [];
  const universe = [A, B, C];
  const testStarted = Date.now();
  const screenIds = [`s1-${tag}`, `s2-${tag}`, `bad-${tag}`];
  let worker: ScannerWorker;
  let sink: BarSink;

  const zrange = (key: string) => redis.zrange(key, "0", "-1", "WITHSCORES");
  const insertScreen = (id: string, rule: unknown) =>
    pool.query("INSERT INTO screens (id, user_id, name, rule) VALUES ($1, 'user-1', $1, $2)", [id, JSON.stringify(rule)]);

  beforeAll(async () => {
    for (const symbol of [A, B, C]) {
      const [exchange, ticker] = symbol.split(":") as [string, string];
      await pool.query(
        "INSERT INTO symbols (id, exchange, ticker, asset_class, display_name, active, calendar) VALUES ($1, $2, $3, 'crypto', $3, true, 'CRYPTO')",
        [symbol, exchange, ticker],
      );
    }
    await insertScreen(screenIds[0] as string, rsiScreen(30));
    // A's history is in the Redis cache before the scanner starts: closed 1m bars and today's daily bar
    for (const [minutesAgo, close] of [[6, 100], [5, 100], [2, 100], [1, 100]] as const) {
      await redis.zadd(keys.bars(A, "1m"), NOW - minutesAgo * MINUTE, JSON.stringify(bar(A, "1m", NOW - minutesAgo * MINUTE, close)));
    }
    await redis.set(keys.liveBar(A, "1m"), JSON.stringify(bar(A, "1m", NOW, 103)));
    await redis.set(keys.liveBar(A, "1d"), JSON.stringify(bar(A, "1d", DAY, 103, { open: 50, volume: 1_000 })));
    await listener.subscribe(keys.scannerUpdates());
    listener.on("message", (_channel: string, message: string) => updates.push(JSON.parse(message) as ScannerUpdate));
    worker = new ScannerWorker({
      pool, redis, subscriber, keys, intervalMs: 100, topK: 5, metrics: createScannerMetrics(undefined, { defaultMetrics: false }),
      now: () => NOW + 30_000 + (Date.now() - testStarted), // the bars' minute, advancing in real time
      loadSymbols: async () => [...universe], // the test's universe (the default reads the active symbols table)
    });
    await worker.start();
    sink = new BarSink({ pool, redis, keys, liveThrottleMs: 10, flushIntervalMs: 10, source: "test" });
    sink.start();
  });

  afterAll(async () => {
    await worker?.close();
    await sink?.close();
    await pool.query("DELETE FROM screens WHERE id = ANY($1)", [screenIds]);
    await pool.query("DELETE FROM candles WHERE symbol = ANY($1)", [[A, B, C]]);
    await pool.query("DELETE FROM symbols WHERE id = ANY($1)", [[A, B, C]]);
    const found = await redis.keys(`${namespace}:*`);
    if (found.length > 0) await redis.del(...found);
    await pool.end();
    for (const connection of [redis, subscriber, listener]) await connection.quit();
  });

  it("ranks bootstrapped and streamed symbols into the toplist ZSETs and the update message", async () => {
    // A from the cache: +3 % over 1m (103 vs 100), +106 % over the day (103 vs open 50)
    await waitFor(async () => (await zrange(keys.scannerList("gainers-1m"))).includes(A), "A in gainers-1m");
    // B and C through the collector's sink: closed minute then the live bar
    sink.push({ kind: "closed", bar: bar(B, "1m", NOW - MINUTE, 200) });
    sink.push({ kind: "closed", bar: bar(C, "1m", NOW - MINUTE, 10) });
    sink.push({ kind: "live", bar: bar(B, "1m", NOW, 220) }); // +10 %
    sink.push({ kind: "live", bar: bar(C, "1m", NOW, 9) }); //   −10 %
    sink.push({ kind: "live", bar: bar(B, "1d", DAY, 220, { open: 200, volume: 5_000 }) }); // value 1.1 M
    const gainers = await waitFor(async () => {
      const list = await zrange(keys.scannerList("gainers-1m"));
      return list.length === 4 ? list : undefined;
    }, "two symbols in gainers-1m");
    // ZSET ascending by score; each list holds only its side of 0: gainers A 3, B 10; losers C −10
    expect(gainers).toEqual([A, "3", B, "10"]);
    await waitFor(async () => ((await zrange(keys.scannerList("losers-1m"))).length === 2 ? true : undefined), "C in losers-1m");
    expect(await zrange(keys.scannerList("losers-1m"))).toEqual([C, "-10"]);
    expect(await redis.zrevrange(keys.scannerList("volume"), "0", "-1")).toEqual([B, A]); // 1.1 M > 103 × 1,000
    const message = await waitFor(() => [...updates].reverse().find((update) => update.lists["gainers-1m"]?.length === 2), "an update with two gainers");
    expect(message.lists["gainers-1m"]).toEqual([[B, 10], [A, 3]]);
    expect(message.symbols).toBe(3);
    expect(message.epoch).toMatch(/^[0-9a-f]{8}$/);
  });

  it("feeds RSI and VWAP lists and the screens from analytics events; screens reload on the change channel", async () => {
    const publishAnalytics = (symbol: string, openTime: number, indicators: Partial<AnalyticsEvent["indicators"]>) =>
      redis.publish(keys.analyticsChannel(symbol, "1m"), JSON.stringify({ stream: `${symbol}:1m`, symbol, timeframe: "1m", openTime, recomputedFrom: openTime, indicators, patterns: [] }));
    await publishAnalytics(B, NOW - MINUTE, { rsi14: 22, vwap: 200 });
    await publishAnalytics(C, NOW - MINUTE, { rsi14: 45, vwap: 10 });
    await redis.publish(keys.analyticsChannel(A, "1m"), "{not json"); // dropped
    const screenKey = keys.scannerScreen(screenIds[0] as string);
    await waitFor(async () => (await redis.zrange(screenKey, "0", "-1")).join() === B, "B in screen s1");
    // RSI 22 and 45 are both under 50: in rsi-low (lowest first), rsi-high empty (no key)
    expect(await redis.zrange(keys.scannerList("rsi-low"), "0", "-1")).toEqual([B, C]);
    expect(await redis.exists(keys.scannerList("rsi-high"))).toBe(0);
    expect(await redis.zrange(keys.scannerList("vwap-below"), "0", "-1", "WITHSCORES")).toEqual([C, "-10"]);
    expect(await redis.zrange(keys.scannerList("vwap-above"), "0", "-1", "WITHSCORES")).toEqual([B, "10"]);
    const entered = updates.find((update) => update.screens.some((screen) => screen.id === screenIds[0] && screen.added.includes(B)));
    expect(entered?.screens.find((screen) => screen.id === screenIds[0])?.count).toBe(1);

    // a new screen and an invalid one, announced on the change channel
    await insertScreen(screenIds[1] as string, rsiScreen(50));
    await insertScreen(screenIds[2] as string, { name: "bad", timeframe: "1m", when: { all: [{ metric: "rsi", op: "<", value: 1 }] } });
    await redis.publish(keys.scannerScreensChanged(), "changed");
    await waitFor(async () => (await redis.zrange(keys.scannerScreen(screenIds[1] as string), "0", "-1")).join() === [B, C].sort().join(), "B and C in screen s2");
    expect(await redis.exists(keys.scannerScreen(screenIds[2] as string))).toBe(0);

    // deactivating a screen removes its key
    await pool.query("UPDATE screens SET active = false, updated_at = now() WHERE id = $1", [screenIds[0]]);
    await redis.publish(keys.scannerScreensChanged(), "changed");
    await waitFor(async () => (await redis.exists(screenKey)) === 0, "screen s1 key removed");
  });

  it("a symbol leaving the screen is reported as removed", async () => {
    const start = updates.length;
    await redis.publish(keys.analyticsChannel(B, "1m"), JSON.stringify({ stream: `${B}:1m`, symbol: B, timeframe: "1m", openTime: NOW, recomputedFrom: NOW, indicators: { rsi14: 70 }, patterns: [] }));
    const update = await waitFor(() => updates.slice(start).find((entry) => entry.screens.some((screen) => screen.id === screenIds[1] && screen.removed.includes(B))), "B removed from s2");
    expect(update.screens.find((screen) => screen.id === screenIds[1])?.count).toBe(1);
    expect(await redis.zrange(keys.scannerScreen(screenIds[1] as string), "0", "-1")).toEqual([C]);
  });

  it("takes in a symbol added to the universe on {ns}:symbols:changed, filled from the Redis cache", async () => {
    await redis.zadd(keys.bars(D, "1m"), NOW - MINUTE, JSON.stringify(bar(D, "1m", NOW - MINUTE, 100)));
    await redis.set(keys.liveBar(D, "1m"), JSON.stringify(bar(D, "1m", NOW, 150)));
    universe.push(D);
    await redis.publish(keys.symbolsChanged(), JSON.stringify({ reason: "test", ids: [D] }));
    const gainers = await waitFor(async () => {
      const list = await redis.zrevrange(keys.scannerList("gainers-1m"), "0", "-1");
      return list[0] === D ? list : undefined;
    }, "D at the top of gainers-1m");
    expect(gainers).toEqual([D, B, A]); // +50 %, +10 %, +3 % (C −10 % is a loser)
  });
});
