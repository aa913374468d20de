/**
 * RedisRateBudget against real Redis: two instances on two connections (= two processes) share one window count
 * atomically, a server-reported count raises it but never lowers it, a Retry-After block set by one stops the
 * other, and with Redis unreachable each falls back to a local budget (logged once) and returns to Redis after.
 * Time is a virtual clock: `sleep` records the wait and moves the clock (no timing is asserted).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { TcpProxy } from "../../test-support/tcp-proxy.ts";
import { RateBudgetCostError, RedisRateBudget, type RateBudgetOptions } from "./rate-budget.ts";

const WINDOW = 60_000;
const redisUrl = new URL(env().REDIS_URL);
const namespace = `${env().MARKETLENS_NAMESPACE}-budget-${randomBytes(3).toString("hex")}`;

/** A clock both instances read; `sleep` advances it by the requested wait. */
function virtualClock(start: number) {
  const clock = { time: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
}

describe("RedisRateBudget", () => {
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1_000, connectTimeout: 1_000 });
    redis.on("error", () => undefined);
    connections.push(redis);
    return redis;
  };
  let first: Redis;
  let second: Redis;

  beforeAll(async () => {
    first = connect();
    second = connect();
    for (const redis of [first, second]) await waitUntil(async () => (await redis.ping().catch(() => null)) === "PONG");
  });

  afterAll(async () => {
    const stale = await first.keys(`${namespace}:*`);
    if (stale.length) await first.del(...stale);
    await Promise.all(connections.map((redis) => redis.quit().catch(() => undefined)));
  });

  const pair = (key: string, extra: Partial<RateBudgetOptions> & { now: () => number; sleep: (ms: number) => Promise<void> }) => {
    const options = { key: `${namespace}:${key}`, capacity: 10, windowMs: WINDOW, safetyMargin: 0, ...extra };
    return [new RedisRateBudget({ ...options, redis: first }), new RedisRateBudget({ ...options, redis: second })] as const;
  };

  it("two processes share one window: together they never pass the limit, the next acquire waits for the next window", async () => {
    const { clock, now, sleep } = virtualClock(1_000 * WINDOW + 5_000);
    const [a, b] = pair("shared", { now, sleep });
    for (let i = 0; i < 6; i += 1) await a.acquire(1);
    await b.acquire(4);
    expect(clock.sleeps).toEqual([]);
    expect((await a.snapshot()).used).toBe(10);
    await b.acquire(1); // window full for both: waits until 1,001 × WINDOW (+10 ms)
    expect(clock.sleeps).toEqual([WINDOW - 5_000 + 10]);
    expect(Math.floor(clock.time / WINDOW)).toBe(1_001);
    expect(await a.snapshot()).toMatchObject({ used: 1, windowStart: 1_001 * WINDOW, store: "redis" });
    expect((await b.snapshot()).waits).toBe(1);
  });

  it("counts concurrent acquires from both processes atomically", async () => {
    const clock = { time: 2_000 * WINDOW };
    const released: Array<() => void> = [];
    const sleep = () => new Promise<void>((resolve) => released.push(resolve));
    const [a, b] = pair("atomic", { now: () => clock.time, sleep, capacity: 30 });
    let done = 0;
    const all = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).acquire(1).then(() => void (done += 1)));
    await waitUntil(() => done + released.length === 40);
    expect(done).toBe(30);
    expect(released.length).toBe(10);
    expect(Number(await first.get(`${namespace}:atomic:w:2000`))).toBe(30);
    clock.time = 2_001 * WINDOW; // the next window: the ten waiting acquires fit
    released.splice(0).forEach((release) => release());
    await Promise.all(all);
    expect(done).toBe(40);
    expect(Number(await first.get(`${namespace}:atomic:w:2001`))).toBe(10);
  });

  it("keeps a safety margin and rejects a cost that can never fit", async () => {
    const { clock, now, sleep } = virtualClock(3_000 * WINDOW);
    const [a] = pair("margin", { now, sleep, capacity: 100, safetyMargin: 0.2 });
    expect(a.limit).toBe(80);
    await a.acquire(80);
    expect(clock.sleeps).toEqual([]);
    await a.acquire(1);
    expect(clock.sleeps.length).toBe(1);
    await expect(a.acquire(81)).rejects.toBeInstanceOf(RateBudgetCostError);
  });

  it("observe raises the shared count to the server's report and never lowers it", async () => {
    const { clock, now, sleep } = virtualClock(4_000 * WINDOW);
    const [a, b] = pair("observe", { now, sleep });
    await a.acquire(2);
    await b.observe(8); // another client on the same IP used weight too
    expect((await a.snapshot()).used).toBe(8);
    await a.observe(3); // a stale or lower report
    expect((await b.snapshot()).used).toBe(8);
    await a.acquire(2);
    expect(clock.sleeps).toEqual([]);
    await b.acquire(1); // 8 + 2 = 10: full
    expect(clock.sleeps.length).toBe(1);
  });

  it("a Retry-After block set by one process makes the other wait until it ends", async () => {
    const { clock, now, sleep } = virtualClock(5_000 * WINDOW);
    const [a, b] = pair("block", { now, sleep });
    const until = clock.time + 7_000;
    await a.blockUntil(until, "HTTP 429 on /api/v3/klines");
    await a.blockUntil(until - 5_000, "shorter"); // never shortens
    expect(await b.snapshot()).toMatchObject({ blockedUntil: until, blockReason: "HTTP 429 on /api/v3/klines" });
    await b.acquire(1);
    expect(clock.sleeps).toEqual([7_000]);
    expect(clock.time).toBe(until);
    expect((await b.snapshot()).blockedUntil).toBeNull();
  });

  it("falls back to a local budget while Redis is unreachable (logged once), and shares again once it is back", async () => {
    const proxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    const port = await proxy.listen();
    const redis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 500, connectTimeout: 500, retryStrategy: () => 50 });
    redis.on("error", () => undefined);
    connections.push(redis);
    await waitUntil(async () => (await redis.ping().catch(() => null)) === "PONG");
    const { clock, now, sleep } = virtualClock(6_000 * WINDOW);
    const logs: string[] = [];
    const budget = new RedisRateBudget({ redis, key: `${namespace}:fallback`, capacity: 10, windowMs: WINDOW, safetyMargin: 0, now, sleep, log: (level, message) => void logs.push(`${level}: ${message}`) });
    await budget.acquire(3);
    proxy.cut();
    for (let i = 0; i < 7; i += 1) await budget.acquire(1); // 3 counted before + 7 local = 10
    expect(clock.sleeps).toEqual([]);
    expect((await budget.snapshot()).store).toBe("local");
    expect(logs.filter((line) => line.startsWith("warn")).length).toBe(1);
    await budget.acquire(1); // the local budget is full too: waits for the next window
    expect(clock.sleeps.length).toBe(1);
    proxy.restore();
    await waitUntil(async () => (await redis.ping().catch(() => null)) === "PONG");
    await budget.acquire(1);
    expect((await budget.snapshot()).store).toBe("redis");
    expect(logs.some((line) => line.startsWith("info") && line.includes("restored"))).toBe(true);
    await proxy.close();
  });
});

async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
