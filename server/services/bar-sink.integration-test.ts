/**
 * BarSink against real PostgreSQL and Redis reached through TCP proxies that we cut: closed bars pushed
 * while either is down are written when it comes back, none lost, none duplicated.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../domain/bars/bar.ts";
import { readCandleRange } from "../db/candles.repo.ts";
import { redisKeys } from "../redis/keys.ts";
import { TcpProxy } from "../../test-support/tcp-proxy.ts";
import { BarSink } from "./bar-sink.service.ts";
import { env } from "../env.ts";

const databaseUrl = new URL(env().DATABASE_URL);
const redisUrl = new URL(env().REDIS_URL);
const symbol = `TEST:SINK${randomBytes(3).toString("hex").toUpperCase()}`;
const namespace = `sinktest-${randomBytes(3).toString("hex")}`;
const start = Date.UTC(2024, 4, 1);

function bar(index: number, close = 100 + index): Bar {
  return { symbol, timeframe: "1m", openTime: start + index * 60_000, open: 100, high: 200, low: 50, close, volume: index + 1, trades: 3, source: "trades" };
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("BarSink when PostgreSQL or Redis drops", () => {
  const direct = new pg.Pool({ connectionString: databaseUrl.toString() });
  const directRedis = new Redis(redisUrl.toString());
  const pgProxy = new TcpProxy(databaseUrl.hostname, Number(databaseUrl.port || 5432));
  const redisProxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  let pool: pg.Pool;
  let redis: Redis;
  let sink: BarSink;

  beforeAll(async () => {
    const pgPort = await pgProxy.listen();
    const redisPort = await redisProxy.listen();
    const proxiedDb = new URL(databaseUrl);
    proxiedDb.port = String(pgPort);
    proxiedDb.hostname = "127.0.0.1";
    pool = new pg.Pool({ connectionString: proxiedDb.toString(), connectionTimeoutMillis: 1_000 });
    pool.on("error", () => undefined);
    redis = new Redis({ host: "127.0.0.1", port: redisPort, db: Number(redisUrl.pathname.slice(1) || 0), maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 100 });
    redis.on("error", () => undefined);
    await waitFor(() => redis.status === "ready", 5_000, "redis through the proxy");
    sink = new BarSink({ pool, redis, keys: redisKeys(namespace), liveThrottleMs: 50 });
    sink.start();
  });

  afterAll(async () => {
    await sink.close(1_000);
    await direct.query("DELETE FROM candles WHERE symbol = $1", [symbol]);
    const stale = await directRedis.keys(`${namespace}:*`);
    if (stale.length) await directRedis.del(...stale);
    redis.disconnect();
    await pool.end().catch(() => undefined);
    await direct.end();
    await directRedis.quit();
    await pgProxy.close();
    await redisProxy.close();
  });

  const stored = () => readCandleRange(direct, { symbol, timeframe: "1m", from: start, to: start + 1_000 * 60_000 });
  const cached = async () => (await directRedis.zrange(redisKeys(namespace).bars(symbol, "1m"), "0", "-1")).map((member) => JSON.parse(member) as Bar);

  it("keeps closed bars while PostgreSQL is down and writes them on recovery", async () => {
    for (let i = 0; i < 5; i += 1) sink.push({ kind: "closed", bar: bar(i) });
    await waitFor(async () => (await stored()).length === 5, 5_000, "first bars stored");
    pgProxy.cut();
    for (let i = 5; i < 10; i += 1) sink.push({ kind: "closed", bar: bar(i) });
    sink.push({ kind: "revision", bar: bar(2, 999) });
    await waitFor(() => sink.backlog > 0, 2_000, "a backlog while PostgreSQL is down");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await stored()).length).toBe(5);
    pgProxy.restore();
    await waitFor(() => sink.backlog === 0, 15_000, "backlog written after recovery");
    const rows = await stored();
    expect(rows.map((row) => row.openTime)).toEqual(Array.from({ length: 10 }, (_, i) => start + i * 60_000));
    expect(rows[2]!.close).toBe(999);
  });

  it("keeps closed bars while Redis is down and caches and publishes them on recovery", async () => {
    redisProxy.cut();
    for (let i = 10; i < 15; i += 1) sink.push({ kind: "closed", bar: bar(i) });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sink.backlog).toBe(5);
    redisProxy.restore();
    await waitFor(() => sink.backlog === 0, 15_000, "redis backlog drained");
    const members = await cached();
    expect(members.map((member) => member.openTime)).toEqual(Array.from({ length: 15 }, (_, i) => start + i * 60_000));
    expect(members[2]!.close).toBe(999);
    expect((await stored()).length).toBe(15);
  });
});

describe("BarSink live updates: leading-edge throttle", () => {
  const liveSymbol = `TEST:LIVE${randomBytes(3).toString("hex").toUpperCase()}`;
  const liveNamespace = `sinklive-${randomBytes(3).toString("hex")}`;
  const keys = redisKeys(liveNamespace);
  const pool = new pg.Pool({ connectionString: databaseUrl.toString() });
  const redis = new Redis(redisUrl.toString());
  const subscriber = new Redis(redisUrl.toString());
  const received: Array<{ at: number; close: number }> = [];
  let clock = 1_000_000;
  let sink: BarSink;
  const liveBar = (close: number): Bar => ({ ...bar(0, close), symbol: liveSymbol });

  beforeAll(async () => {
    await subscriber.subscribe(keys.barChannel(liveSymbol, "1m"));
    subscriber.on("message", (_channel, message) => received.push({ at: clock, close: (JSON.parse(message) as { bar: Bar }).bar.close }));
    sink = new BarSink({ pool, redis, keys, liveThrottleMs: 250, now: () => clock });
    sink.start();
  });

  afterAll(async () => {
    await sink.close(1_000);
    await redis.del(keys.liveBar(liveSymbol, "1m"));
    await subscriber.quit();
    await redis.quit();
    await pool.end();
  });

  it("publishes the first update of a quiet stream at once, then at most once per window with the newest bar", async () => {
    sink.push({ kind: "live", bar: liveBar(101) });
    await waitFor(() => received.length === 1, 2_000, "the leading update"); // the clock has not moved: no window waited
    expect(received[0]).toEqual({ at: 1_000_000, close: 101 });
    sink.push({ kind: "live", bar: liveBar(102) });
    sink.push({ kind: "live", bar: liveBar(103) });
    await new Promise((resolve) => setTimeout(resolve, 300)); // real time passes, the sink's clock does not
    expect(received).toHaveLength(1); // inside the window: held
    clock += 250;
    await waitFor(() => received.length === 2, 2_000, "the trailing update");
    expect(received[1]).toEqual({ at: 1_000_250, close: 103 }); // the newest bar, once
    clock += 1_000; // quiet for a whole window: the next update goes out at once again
    sink.push({ kind: "live", bar: liveBar(104) });
    await waitFor(() => received.length === 3, 2_000, "the next leading update");
    expect(received[2]).toEqual({ at: 1_001_250, close: 104 });
  });
});
