/**
 * The REST client against the replay exchange over real HTTP: paging with limit 1000, dropping the
 * still-open row, weight accounting from X-MBX-USED-WEIGHT-1M, 429 + Retry-After, the REST circuit breaker,
 * and two clients (= two processes) sharing one REQUEST_WEIGHT budget through real Redis: together they never
 * get a 429 (so never a 418 ban), follow the weight other clients of the IP used, and a 429 seen by one pauses both.
 * Budget time is a virtual clock shared with the fake server's weight minute (`sleep` moves it; nothing is timed).
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { env } from "../../env.ts";
import { FakeBinanceServer } from "../../replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../../replay/replay-dataset.ts";
import { backoffDelay } from "./binance-stream.ts";
import { BinanceHttpError, BinanceRestClient, binanceWeightBudget } from "./binance-rest.ts";
import { CircuitOpenError } from "../circuit-breaker.ts";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const file = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const first = Date.UTC(2023, 3, 1);
let server: FakeBinanceServer | null = null;

async function start(options: { at: number; weightLimit?: number; restNow?: () => number }) {
  const dataset = ReplayDataset.fromFile("BTCUSDT", file, first, false);
  server = new FakeBinanceServer({ datasets: [dataset], clock: new ReplayClock(options.at, 1), weightLimit: options.weightLimit, restNow: options.restNow });
  await server.listen();
  return server;
}

/** A wall clock for budgets and the fake server's weight minute; `sleep` moves it forward by the wait. */
function virtualClock() {
  const clock = { time: Date.UTC(2030, 0, 1, 0, 0, 5), sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
}

afterEach(async () => {
  await server?.close();
  server = null;
});

describe("BinanceRestClient", () => {
  it("pages through every closed kline with limit 1000 and drops the still-open one", async () => {
    const fake = await start({ at: first + 2_500 * 60_000 + 30_000 }); // 2,500 closed minutes, the 2,501st open
    const client = new BinanceRestClient({ baseUrl: fake.url });
    const pages: number[] = [];
    const openTimes: number[] = [];
    for await (const page of client.closedKlines({ symbol: "BINANCE:BTCUSDT", ticker: "BTCUSDT", timeframe: "1m", from: first })) {
      pages.push(page.length);
      openTimes.push(...page.map((bar) => bar.openTime));
    }
    expect(pages).toEqual([1000, 1000, 500]);
    expect(openTimes).toEqual(Array.from({ length: 2_500 }, (_, i) => first + i * 60_000));
    // time + 3 klines pages (weight 2 each) + ... as the server reported it
    expect(client.weight).toBeGreaterThanOrEqual(7);
  });

  it("maps the first recorded row exactly", async () => {
    const fake = await start({ at: first + 10 * 60_000 });
    const client = new BinanceRestClient({ baseUrl: fake.url });
    const page = await client.klines({ symbol: "BINANCE:BTCUSDT", ticker: "BTCUSDT", timeframe: "1m", startTime: first, limit: 1, serverTime: first + 10 * 60_000 });
    // fixtures row 0: [1680307200000, 28465.36, 28481.48, 28465.36, 28480.07, 26.31939]
    expect(page.bars).toEqual([{ symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: first, open: 28465.36, high: 28481.48, low: 28465.36, close: 28480.07, volume: 26.31939, trades: 20, source: "rest" }]);
  });

  it("turns 429 into an error carrying Retry-After and waits it out before the next request", async () => {
    const fake = await start({ at: first + 10 * 60_000, weightLimit: 3 });
    const { clock, now, sleep } = virtualClock();
    const sleeps = clock.sleeps;
    const client = new BinanceRestClient({ baseUrl: fake.url, weightLimit: 1_000, now, sleep });
    await client.ping(); // weight 1
    await client.serverTime(); // weight 2
    await client.ping(); // weight 3
    const error = await client.ping().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BinanceHttpError);
    expect((error as BinanceHttpError).status).toBe(429);
    expect((error as BinanceHttpError).retryAfterMs).toBeGreaterThan(0);
    await client.ping().catch(() => undefined);
    expect(sleeps.length).toBe(1); // it waited for Retry-After instead of hammering the server
    expect(sleeps[0]).toBeGreaterThan(0);
  });

  it("pauses before the weight budget runs out", async () => {
    const fake = await start({ at: first + 10 * 60_000 });
    const { clock, now, sleep } = virtualClock();
    const client = new BinanceRestClient({ baseUrl: fake.url, weightLimit: 10, weightSafety: 0.5, now, sleep });
    for (let i = 0; i < 5; i += 1) await client.ping();
    expect(clock.sleeps).toEqual([]);
    await client.ping(); // 6 > 10 × 0.5: waits for the next minute
    expect(clock.sleeps.length).toBe(1);
  });

  it("opens the REST circuit after 5 server errors, fails fast while open, ignores 400s, and closes after 2 successes", async () => {
    const fake = await start({ at: first + 10 * 60_000 });
    const client = new BinanceRestClient({ baseUrl: fake.url, breakerOptions: { halfOpenAfterMs: 200 } });
    // a 400 (invalid symbol) is the exchange answering: never a breaker failure
    for (let i = 0; i < 6; i += 1) {
      const error = await client.klines({ symbol: "BINANCE:NOPE", ticker: "NOPE", timeframe: "1m", startTime: first, serverTime: first + 10 * 60_000 }).catch((caught: unknown) => caught);
      expect((error as BinanceHttpError).status).toBe(400);
    }
    expect(client.breaker.snapshot()).toMatchObject({ state: "closed", failures: 0 });
    fake.faults = { restStatus: 500 };
    for (let i = 0; i < 5; i += 1) await expect(client.ping()).rejects.toMatchObject({ status: 500 });
    expect(client.breaker.snapshot()).toMatchObject({ state: "open", failures: 5 });
    const requests = fake.restRequests;
    const error = await client.serverTime().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as Error).message).toMatch(/binance rest circuit is open \(last failure: \/api\/v3\/ping: HTTP 500/);
    expect(fake.restRequests).toBe(requests); // failed fast, nothing sent
    fake.faults = {};
    await new Promise((resolve) => setTimeout(resolve, 250));
    await client.ping();
    expect(client.breaker.state).toBe("half-open");
    await client.ping();
    expect(client.breaker.state).toBe("closed");
  });

  it("rejects bad parameters with Binance's error", async () => {
    const fake = await start({ at: first + 10 * 60_000 });
    const response = await fetch(`${fake.url}/api/v3/klines?symbol=NOPE&interval=1m`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: -1121, msg: "Invalid symbol." });
    const tooMany = await fetch(`${fake.url}/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1001`);
    expect(await tooMany.json()).toMatchObject({ code: -1130 });
  });
});

describe("BinanceRestClient with a shared REQUEST_WEIGHT budget", () => {
  const redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `${env().MARKETLENS_NAMESPACE}-rest-${randomBytes(3).toString("hex")}`;

  afterAll(async () => {
    const stale = await redis.keys(`${prefix}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
  });

  /** Two clients as two processes would build them: each its own budget object and Redis connection, one key. */
  function twoProcesses(url: string, key: string, clock: ReturnType<typeof virtualClock>, capacity: number) {
    const connections = [redis.duplicate(), redis.duplicate()];
    const clients = connections.map((connection) =>
      new BinanceRestClient({ baseUrl: url, budget: binanceWeightBudget({ redis: connection, key: `${prefix}:${key}`, capacity, now: clock.now, sleep: clock.sleep }) }),
    );
    return { clients, close: () => Promise.all(connections.map((connection) => connection.quit())) };
  }

  it("two processes paging klines concurrently never get a 429 or 418: they wait for the next minute instead", async () => {
    const clock = virtualClock();
    const fake = await start({ at: first + 2_000 * 60_000, weightLimit: 40, restNow: clock.now });
    const { clients, close } = twoProcesses(fake.url, "pair", clock, 40); // limit 36 per minute each window
    try {
      // each pages sequentially, as a backfill does; the two run at the same time
      const pages = async (client: BinanceRestClient) => {
        const result = [];
        for (let i = 0; i < 15; i += 1) {
          result.push(await client.klines({ symbol: "BINANCE:BTCUSDT", ticker: "BTCUSDT", timeframe: "1m", startTime: first + i * 100 * 60_000, limit: 100, serverTime: first + 2_000 * 60_000 }));
        }
        return result;
      };
      const results = await Promise.all(clients.map(pages)); // 2 × 15 × weight 2 = 60 > 36: needs a second minute
      expect(results.flat().every((page) => page.bars.length === 100)).toBe(true);
      expect(fake.restStatuses.get(429) ?? 0).toBe(0);
      expect(fake.restStatuses.get(418) ?? 0).toBe(0);
      expect(fake.restStatuses.get(200)).toBe(30);
      expect(clock.clock.sleeps.length).toBeGreaterThan(0);
      const snapshot = await clients[0]!.budget.snapshot();
      expect(snapshot).toMatchObject({ store: "redis", limit: 36 });
    } finally {
      await close();
    }
  });

  it("follows X-MBX-USED-WEIGHT-1M when another client of the IP used weight, so it still stays under the limit", async () => {
    const clock = virtualClock();
    const fake = await start({ at: first + 10 * 60_000, weightLimit: 40, restNow: clock.now });
    const { clients, close } = twoProcesses(fake.url, "observed", clock, 40);
    try {
      for (let i = 0; i < 30; i += 1) await fetch(`${fake.url}/api/v3/ping`); // someone else on the IP: weight 30
      await clients[0]!.ping(); // the header says 31: the shared count jumps to it
      expect((await clients[1]!.budget.snapshot()).used).toBe(31);
      for (let i = 0; i < 10; i += 1) await clients[i % 2]!.ping(); // 5 fit below 36, the rest wait a minute
      expect(clock.clock.sleeps.length).toBe(1);
      expect(fake.restStatuses.get(429) ?? 0).toBe(0);
    } finally {
      await close();
    }
  });

  it("a 429 with Retry-After seen by one process blocks the other until it has passed", async () => {
    const clock = virtualClock();
    const fake = await start({ at: first + 10 * 60_000, weightLimit: 3, restNow: clock.now });
    const { clients, close } = twoProcesses(fake.url, "blocked", clock, 1_000);
    try {
      for (let i = 0; i < 3; i += 1) await fetch(`${fake.url}/api/v3/ping`); // the server's minute is full
      const error = await clients[0]!.ping().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 429 });
      const retryAfterMs = (error as BinanceHttpError).retryAfterMs!;
      const requests = fake.restRequests;
      const snapshot = await clients[1]!.budget.snapshot();
      expect(snapshot.blockedUntil).toBe(clock.clock.time + retryAfterMs);
      expect(snapshot.blockReason).toContain("HTTP 429");
      await clients[1]!.ping(); // waits out Retry-After (the next server minute), then succeeds
      expect(clock.clock.sleeps).toEqual([retryAfterMs]);
      expect(fake.restRequests).toBe(requests + 1);
      expect(fake.restStatuses.get(418) ?? 0).toBe(0);
    } finally {
      await close();
    }
  });

  it("the fake exchange bans (418) a client that ignores 429s, as Binance does", async () => {
    const fake = await start({ at: first + 10 * 60_000, weightLimit: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await fetch(`${fake.url}/api/v3/ping`)).status);
    expect(statuses).toEqual([200, 200, 429, 429, 429, 418, 418, 418]);
  });
});

describe("backoffDelay", () => {
  it("grows exponentially up to the cap with jitter in [cap/2, cap]", () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4_000); // 500 × 2³
    expect(backoffDelay(10, 500, 30_000, () => 0.5)).toBe(22_500); // cap 30,000: 15,000 + 7,500
  });
});
