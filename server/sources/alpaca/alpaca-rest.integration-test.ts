/**
 * AlpacaRestClient over real HTTP against the fake Alpaca server: next_page_token paging (tokens passed back
 * verbatim), auth headers, the per-minute request budget (RedisRateBudget, also shared through real Redis between
 * two clients), and 429 with Retry-After blocking the budget.
 */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { env } from "../../env.ts";
import { RedisRateBudget } from "../rate-budget.ts";
import { FakeAlpacaServer } from "../../replay/fake-alpaca-server.ts";
import { ReplayClock, ReplayDataset } from "../../replay/replay-dataset.ts";
import { AlpacaHttpError, AlpacaRestClient } from "./alpaca-rest.ts";

const MINUTE = 60_000;
const file = path.resolve(import.meta.dirname, "../../../fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const dayStart = Date.UTC(2023, 3, 2);
const KEYS = { keyId: "PKTEST", secretKey: "secret" };

function fakeServer(options: { pageSize?: number; requestsPerMinute?: number } = {}): FakeAlpacaServer {
  const anchored = ReplayDataset.fromFile("FAKEPACA", file, Date.UTC(2023, 3, 1), false);
  return new FakeAlpacaServer({ datasets: [anchored], clock: new ReplayClock(dayStart + 2 * 60 * MINUTE + 30_000, 1), ...KEYS, ...options });
}

let server: FakeAlpacaServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe("AlpacaRestClient", () => {
  it("pages with next_page_token until it is null and returns the dataset's closed bars", async () => {
    server = fakeServer({ pageSize: 25 });
    await server.listen();
    const client = new AlpacaRestClient({ baseUrl: server.url, ...KEYS });
    const pages: number[] = [];
    const bars = [];
    for await (const page of client.minuteBars({ symbol: "ALPACA:FAKEPACA", ticker: "FAKEPACA", from: dayStart, to: dayStart + 60 * MINUTE })) {
      pages.push(page.length);
      bars.push(...page);
    }
    expect(pages).toEqual([25, 25, 10]); // 60 minutes, 25 per page
    expect(server.pageTokens).toHaveLength(2);
    expect(Buffer.from(server.pageTokens[0]!, "base64").toString()).toBe("FAKEPACA|M|2023-04-02T00:25:00.000Z");
    expect(bars.map((bar) => bar.openTime)).toEqual(Array.from({ length: 60 }, (_, i) => dayStart + i * MINUTE));
    expect(bars[0]).toMatchObject({ symbol: "ALPACA:FAKEPACA", timeframe: "1m", source: "rest", open: server.barAt("FAKEPACA", dayStart)!.open, volume: server.barAt("FAKEPACA", dayStart)!.volume });
  });

  it("refuses wrong keys with 403 without opening the circuit", async () => {
    server = fakeServer();
    await server.listen();
    const client = new AlpacaRestClient({ baseUrl: server.url, keyId: "PKTEST", secretKey: "wrong" });
    const run = async () => {
      for await (const page of client.minuteBars({ symbol: "ALPACA:FAKEPACA", ticker: "FAKEPACA", from: dayStart, to: dayStart + MINUTE * 5 })) void page;
    };
    await expect(run()).rejects.toMatchObject({ status: 403 });
    expect(client.breaker.state).toBe("closed");
  });

  it("waits for the next window instead of exceeding the per-minute budget", async () => {
    server = fakeServer({ pageSize: 10 });
    await server.listen();
    let virtual = 0;
    const waits: number[] = [];
    const client = new AlpacaRestClient({ baseUrl: server.url, ...KEYS, requestsPerMinute: 3, now: () => virtual, sleep: async (ms) => void (waits.push(ms), (virtual += ms)) });
    let count = 0;
    for await (const page of client.minuteBars({ symbol: "ALPACA:FAKEPACA", ticker: "FAKEPACA", from: dayStart, to: dayStart + 60 * MINUTE })) count += page.length;
    expect(count).toBe(60);
    expect(client.requests).toBe(6);
    // 3 requests in the window [0, 60 s), then wait for the next window (+10 ms margin) and send 3 more
    expect(waits).toEqual([60_010]);
  });

  it("two clients on one Redis budget share the 200/min (here 4/min) between them", async () => {
    server = fakeServer({ pageSize: 10 });
    await server.listen();
    const redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    const key = `itest-${randomBytes(3).toString("hex")}:ratelimit:alpaca:rest`;
    try {
      let virtual = 0;
      const waits: number[] = [];
      const sleep = async (ms: number) => void (waits.push(ms), (virtual += ms));
      const budget = () => new RedisRateBudget({ redis, key, capacity: 4, windowMs: 60_000, safetyMargin: 0, now: () => virtual, sleep });
      const clients = [0, 1].map(() => new AlpacaRestClient({ baseUrl: server!.url, ...KEYS, budget: budget(), now: () => virtual, sleep }));
      for (const client of clients) {
        for await (const page of client.minuteBars({ symbol: "ALPACA:FAKEPACA", ticker: "FAKEPACA", from: dayStart, to: dayStart + 30 * MINUTE })) void page;
      }
      expect(clients.map((client) => client.requests)).toEqual([3, 3]);
      expect(waits).toEqual([60_010]); // the second client's 2nd request found the shared window full (3 + 1)
    } finally {
      const stale = await redis.keys(`${key}*`);
      if (stale.length) await redis.del(...stale);
      await redis.quit();
    }
  });

  it("a 429 blocks the budget until Retry-After, then retries; with no retries left it throws", async () => {
    server = fakeServer({ pageSize: 10, requestsPerMinute: 2 });
    await server.listen();
    const fake = server;
    let virtual = Date.now();
    const waits: number[] = [];
    const client = new AlpacaRestClient({ baseUrl: server.url, ...KEYS, now: () => virtual, sleep: async (ms) => void (waits.push(ms), (virtual += ms), fake.resetRateLimit()) });
    let count = 0;
    for await (const page of client.minuteBars({ symbol: "ALPACA:FAKEPACA", ticker: "FAKEPACA", from: dayStart, to: dayStart + 30 * MINUTE })) count += page.length;
    expect(count).toBe(30);
    expect(client.requests).toBe(4); // 2 answered, 1 refused with 429, then the 3rd page again
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1_000); // Retry-After is whole seconds ≥ 1
    const failing = new AlpacaRestClient({ baseUrl: server.url, ...KEYS, maxRetries: 0, sleep: async () => undefined });
    server.resetRateLimit();
    const drain = async () => {
      for (let i = 0; i < 5; i++) for await (const page of failing.minuteBars({ symbol: "ALPACA:FAKEPACA", ticker: "FAKEPACA", from: dayStart, to: dayStart + 30 * MINUTE })) void page;
    };
    await expect(drain()).rejects.toMatchObject({ status: 429 });
    await expect(drain()).rejects.toBeInstanceOf(AlpacaHttpError);
  });
});
