/**
 * The REST client against the replay exchange over real HTTP: paging with limit 1000, dropping the
 * still-open row, weight accounting from X-MBX-USED-WEIGHT-1M, 429 + Retry-After, and the REST circuit breaker.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeBinanceServer } from "../../replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../../replay/replay-dataset.ts";
import { backoffDelay } from "./binance-stream.ts";
import { BinanceHttpError, BinanceRestClient } from "./binance-rest.ts";
import { CircuitOpenError } from "../circuit-breaker.ts";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const file = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const first = Date.UTC(2023, 3, 1);
let server: FakeBinanceServer | null = null;

async function start(options: { at: number; weightLimit?: number }) {
  const dataset = ReplayDataset.fromFile("BTCUSDT", file, first, false);
  server = new FakeBinanceServer({ datasets: [dataset], clock: new ReplayClock(options.at, 1), weightLimit: options.weightLimit });
  await server.listen();
  return server;
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
    const sleeps: number[] = [];
    const client = new BinanceRestClient({ baseUrl: fake.url, weightLimit: 1_000, sleep: async (ms) => void sleeps.push(ms) });
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
    const sleeps: number[] = [];
    const client = new BinanceRestClient({ baseUrl: fake.url, weightLimit: 10, weightSafety: 0.5, sleep: async (ms) => void sleeps.push(ms) });
    for (let i = 0; i < 6; i += 1) await client.ping();
    expect(sleeps.length).toBeGreaterThan(0);
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

describe("backoffDelay", () => {
  it("grows exponentially up to the cap with jitter in [cap/2, cap]", () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4_000); // 500 × 2³
    expect(backoffDelay(10, 500, 30_000, () => 0.5)).toBe(22_500); // cap 30,000: 15,000 + 7,500
  });
});
