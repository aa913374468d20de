/**
 * The Yahoo collector and chart client against the fake Yahoo server (v8 chart layout, THYAO.IS synthesized on BIST
 * sessions with null rows, recorded empty/error shapes) on port 0, real PostgreSQL and Redis, a virtual clock:
 * a poll stores the closed minutes (nulls skipped, no zero-volume fill), builds 5m…1d, enqueues analytics; a
 * repeated poll changes nothing; after the close the daily bar lands on the session date and health says
 * "closed"; a job outside the session makes no request; 429 backs off exponentially (delays counted through an
 * injected sleep); the REST breaker opens after 5 failures; an unknown symbol is "unavailable" with Yahoo's message;
 * the BullMQ job scheduler is registered and its jobs poll.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { createExchangeCalendar } from "../../server/domain/calendars/exchange-calendar.ts";
import { isCalendarId } from "../../server/domain/calendars/exchange-calendar.ts";
import { loadCalendarHolidays } from "../../server/config/holidays-config.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import { env } from "../../server/env.ts";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { BarClosedProducer, type StoredBarEvent } from "../../server/queues/bar-closed-producer.ts";
import { barClosedQueueName, createBarClosedQueues } from "../../server/queues/bar-closed.ts";
import { YAHOO_POLL_QUEUE, YAHOO_POLL_SCHEDULER_ID } from "../../server/queues/yahoo-poll.ts";
import { queueConnection } from "../../server/redis/client.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { FakeYahooServer } from "../../server/replay/fake-yahoo-server.ts";
import type { SyntheticSessionSeries } from "../../server/replay/fake-yahoo-series.ts";
import { loadYahooReplaySeries } from "../../server/replay/yahoo-replay-datasets.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import { CircuitOpenError } from "../../server/sources/circuit-breaker.ts";
import { YahooChartClient, YahooHttpError } from "../../server/sources/yahoo/yahoo-chart-client.ts";
import { YahooCollector } from "./yahoo.collector.ts";

const MINUTE = 60_000;
const ROOT = path.resolve(import.meta.dirname, "../..");
const SYMBOL = "YAHOO:THYAO.IS";
const row = (ticker: string): SymbolRow => ({ id: `YAHOO:${ticker}`, exchange: "YAHOO", ticker, assetClass: "stock", displayName: ticker, active: true, calendar: "BIST" });
// Friday 2026-11-20: BIST session 07:00–15:00 UTC (10:00–18:00 Istanbul).
const FRIDAY_OPEN = Date.UTC(2026, 10, 20, 7);
const FRIDAY_CLOSE = Date.UTC(2026, 10, 20, 15);

/** Waits until every pushed bar is stored (a flush() racing the sink's timer only waits for the batch in flight). */
async function drain(sink: BarSink): Promise<void> {
  while (sink.backlog > 0) {
    await sink.flush();
    if (sink.backlog > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("Yahoo collector over the fake Yahoo server", () => {
  let pool: pg.Pool;
  let redis: Redis;
  let server: FakeYahooServer;
  let thyao: SyntheticSessionSeries;
  let nowMs = FRIDAY_OPEN;
  const clock = { now: () => nowMs };
  const namespace = `itest-yahoo-${randomBytes(3).toString("hex")}`;
  const cleanups: (() => Promise<void>)[] = [];
  const calendar = async (id: string) => {
    if (!isCalendarId(id)) throw new Error(`unknown calendar ${id}`);
    return createExchangeCalendar(id, await loadCalendarHolidays(id, path.join(ROOT, "config/holidays")));
  };

  function harness(options: { symbols?: SymbolRow[]; client?: YahooChartClient; initialBackfillBars?: number; pollIntervalMs?: number; schedule?: boolean } = {}) {
    const metrics = createCollectorMetrics();
    const stored: StoredBarEvent[] = [];
    const queues = createBarClosedQueues({ connection: queueConnection("producer"), prefix: redisKeys(namespace).queuePrefix(), partitions: 1 });
    const producer = new BarClosedProducer({ queues });
    const sink = new BarSink({ pool, redis, keys: redisKeys(namespace), metrics, liveThrottleMs: 50, onStored: (events) => { stored.push(...events); producer.enqueue(events); } });
    sink.start();
    const client = options.client ?? new YahooChartClient({ baseUrl: server.url, sleep: async () => undefined });
    const collector = new YahooCollector({
      mode: "replay",
      client, pool, sink, metrics, calendar, clock,
      symbols: options.symbols ?? [row("THYAO.IS")],
      latenessMs: 2_000,
      initialBackfillBars: options.initialBackfillBars ?? 60,
      pollIntervalMs: options.pollIntervalMs ?? 300_000,
      schedule: options.schedule ? { connection: queueConnection("producer"), workerConnection: queueConnection("worker"), prefix: redisKeys(namespace).queuePrefix() } : undefined,
      quality: { redis, keys: redisKeys(namespace) },
    });
    const stop = async () => {
      await collector.stop();
      await sink.close();
      await producer.close();
    };
    cleanups.push(stop);
    return { collector, sink, stored, client, metrics };
  }

  const candles = (timeframe: Bar["timeframe"], from: number, to: number) => readCandleRange(pool, { symbol: SYMBOL, timeframe, from, to });

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    const series = await loadYahooReplaySeries(ROOT);
    thyao = series[0] as SyntheticSessionSeries;
    server = new FakeYahooServer({ series, clock });
    await server.listen();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    server.failNext(0);
  });

  afterAll(async () => {
    await server.close();
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await pool.end();
  });

  it("stores the closed minutes Yahoo has published (nulls skipped, no zero-volume fill), builds 5m, enqueues analytics; a repeated poll changes nothing", async () => {
    nowMs = FRIDAY_OPEN + 180 * MINUTE; // 10:00Z; Yahoo's BIST view is 15 minutes behind: 09:45Z
    const { collector, sink, stored } = harness();
    await collector.start();
    await drain(sink);
    const market = nowMs - 15 * MINUTE;
    const minutes = await candles("1m", FRIDAY_OPEN, nowMs);
    const expected: Bar[] = [];
    let nullRows = 0;
    for (let t = FRIDAY_OPEN; t + MINUTE <= market; t += MINUTE) {
      const [open, high, low, close, volume] = thyao.minute(t);
      if (open === null) nullRows += 1;
      else expected.push({ symbol: SYMBOL, timeframe: "1m", openTime: t, open, high: high!, low: low!, close: close!, volume: volume!, trades: 0, source: "rest" });
    }
    expect(nullRows).toBeGreaterThan(0);
    expect(minutes.map(({ openTime, open, high, low, close, volume }) => ({ openTime, open, high, low, close, volume }))).toEqual(
      expected.map(({ openTime, open, high, low, close, volume }) => ({ openTime, open, high, low, close, volume })),
    );
    const fiveMinutes = await candles("5m", FRIDAY_OPEN, FRIDAY_OPEN + 5 * MINUTE);
    const first5 = expected.filter((bar) => bar.openTime < FRIDAY_OPEN + 5 * MINUTE);
    expect(fiveMinutes[0]).toMatchObject({ open: first5[0]!.open, close: first5.at(-1)!.close, high: Math.max(...first5.map((bar) => bar.high)), volume: first5.reduce((sum, bar) => sum + bar.volume, 0) });
    expect(stored.some((event) => event.bar.timeframe === "1m")).toBe(true);
    const barClosed = new Queue(barClosedQueueName(0), { connection: queueConnection("producer"), prefix: redisKeys(namespace).queuePrefix() });
    expect((await barClosed.getJobCounts("waiting", "delayed", "prioritized")).waiting).toBeGreaterThan(0);
    await barClosed.close();
    expect(collector.health().symbols[SYMBOL]).toMatchObject({ status: "healthy", lastBarAt: expected.at(-1)!.openTime });

    const requests = server.requests.length;
    const storedBefore = stored.length;
    nowMs += 30_000; // same minute: Yahoo has nothing new
    await collector.pollAll();
    await drain(sink);
    expect(server.requests.length).toBe(requests + 1);
    expect(stored.length).toBe(storedBefore);
    expect(await candles("1m", FRIDAY_OPEN, nowMs)).toEqual(minutes);
  });

  it("after the close the rest of the session arrives, the daily bar lands on the session date, and a job while closed makes no request", async () => {
    nowMs = FRIDAY_OPEN + 60 * MINUTE;
    const { collector, sink } = harness();
    await collector.start();
    nowMs = FRIDAY_CLOSE + 30 * MINUTE; // Yahoo's view: 14:45Z + the close
    await collector.pollAll();
    nowMs = FRIDAY_CLOSE + 60 * MINUTE;
    const requests = server.requests.length;
    await collector.pollAll();
    expect(server.requests.length).toBe(requests);
    await drain(sink);
    const minutes = await candles("1m", FRIDAY_OPEN, FRIDAY_CLOSE);
    expect(minutes.at(-1)!.openTime).toBeGreaterThanOrEqual(FRIDAY_CLOSE - 2 * MINUTE);
    const [daily] = await candles("1d", Date.UTC(2026, 10, 20), Date.UTC(2026, 10, 21));
    expect(daily).toMatchObject({
      openTime: Date.UTC(2026, 10, 20),
      open: minutes[0]!.open,
      close: minutes.at(-1)!.close,
      high: Math.max(...minutes.map((bar) => bar.high)),
      low: Math.min(...minutes.map((bar) => bar.low)),
    });
    expect(daily!.volume).toBeCloseTo(minutes.reduce((sum, bar) => sum + bar.volume, 0), 6);
    const health = collector.health();
    expect(health.status).toBe("closed");
    expect(health.symbols[SYMBOL]).toMatchObject({ status: "closed", reason: "market closed; opens 2026-11-23T07:00:00Z" });
    expect(health.breakers.stream).toMatchObject({ state: "open", heldReason: "market closed" });
    // No zero-volume minutes were invented for the night.
    expect(await candles("1m", FRIDAY_CLOSE, FRIDAY_CLOSE + 12 * 60 * MINUTE)).toEqual([]);
  });

  it("a weekend range answers the empty shape: no bars, no error", async () => {
    nowMs = Date.UTC(2026, 10, 21, 12);
    const client = new YahooChartClient({ baseUrl: server.url });
    const chart = await client.chart({ symbol: SYMBOL, ticker: "THYAO.IS", interval: "1m", from: Date.UTC(2026, 10, 21), to: nowMs, now: nowMs });
    expect(chart.bars).toEqual([]);
    expect(server.requests.at(-1)).toMatchObject({ symbol: "THYAO.IS", status: 200 });
    // A new symbol on Saturday fetches Friday's session once; the next job makes no request.
    const { collector, sink } = harness();
    const before = server.requests.length;
    await collector.start();
    expect(server.requests.length).toBe(before + 1);
    await collector.pollAll();
    expect(server.requests.length).toBe(before + 1);
    await drain(sink);
    expect((await candles("1m", FRIDAY_OPEN, FRIDAY_CLOSE)).length).toBeGreaterThan(400);
    expect(await candles("1m", Date.UTC(2026, 10, 21), nowMs)).toEqual([]);
    expect(collector.health().symbols[SYMBOL]).toMatchObject({ status: "closed", reason: "market closed; opens 2026-11-23T07:00:00Z" });
  });

  it("429 backs off exponentially with jitter, honours Retry-After, then succeeds", async () => {
    nowMs = FRIDAY_OPEN + 30 * MINUTE;
    const delays: number[] = [];
    const client = new YahooChartClient({ baseUrl: server.url, sleep: async (ms) => void delays.push(ms), random: () => 0, backoffBaseMs: 1_000 });
    const before = server.requests.length;
    server.failNext(3, 429);
    const chart = await client.chart({ symbol: SYMBOL, ticker: "THYAO.IS", interval: "1m", from: FRIDAY_OPEN, to: nowMs, now: nowMs - 15 * MINUTE });
    expect(chart.bars.length).toBeGreaterThan(0);
    expect(server.requests.length - before).toBe(4);
    expect(delays).toEqual([500, 1_000, 2_000]); // 1 s × 2^attempt × (0.5 + 0 / 2)
    server.failNext(1, 429, 7);
    await client.chart({ symbol: SYMBOL, ticker: "THYAO.IS", interval: "1m", from: FRIDAY_OPEN, to: nowMs, now: nowMs - 15 * MINUTE });
    expect(delays.at(-1)).toBe(7_000);
    server.failNext(10, 429);
    await expect(new YahooChartClient({ baseUrl: server.url, sleep: async () => undefined, maxRetries: 2 }).chart({ symbol: SYMBOL, ticker: "THYAO.IS", interval: "1m", from: FRIDAY_OPEN, to: nowMs, now: nowMs })).rejects.toThrowError(YahooHttpError);
  });

  it("splits a 1m range into requests of at most 7 days (Yahoo's limit)", async () => {
    nowMs = FRIDAY_CLOSE + 60 * MINUTE;
    const client = new YahooChartClient({ baseUrl: server.url });
    const before = server.requests.length;
    const from = Date.UTC(2026, 10, 6);
    const charts = [];
    for await (const chart of client.charts({ symbol: SYMBOL, ticker: "THYAO.IS", interval: "1m", from, to: nowMs, now: nowMs })) charts.push(chart);
    const sent = server.requests.slice(before).map((request) => [Number(request.query.period1), Number(request.query.period2)]);
    // 2026-11-06 → 2026-11-20 16:00Z: 14 days 16 hours → 7 + 7 days + the rest
    expect(sent).toEqual([
      [from / 1000, from / 1000 + 7 * 86_400],
      [from / 1000 + 7 * 86_400, from / 1000 + 14 * 86_400],
      [from / 1000 + 14 * 86_400, nowMs / 1000],
    ]);
    expect(charts.reduce((sum, chart) => sum + chart.bars.length, 0)).toBeGreaterThan(9 * 400); // ten BIST sessions
  });

  it("the REST breaker opens after 5 failed polls; the collector reports down and stops calling Yahoo", async () => {
    nowMs = FRIDAY_OPEN + 30 * MINUTE;
    const client = new YahooChartClient({ baseUrl: server.url, sleep: async () => undefined });
    const { collector } = harness({ client });
    server.failNext(100, 500);
    await collector.start();
    for (let poll = 0; poll < 4; poll++) await collector.pollAll();
    const requests = server.requests.length;
    await collector.pollAll();
    expect(server.requests.length).toBe(requests);
    const health = collector.health();
    expect(health.breakers.rest).toMatchObject({ state: "open", failures: 5 });
    expect(health.status).toBe("down");
    expect(health.symbols[SYMBOL]!.reason).toMatch(/circuit is open/);
    await expect(client.chart({ symbol: SYMBOL, ticker: "THYAO.IS", interval: "1m", from: FRIDAY_OPEN, to: nowMs, now: nowMs })).rejects.toThrowError(CircuitOpenError);
  });

  it("an unknown symbol is unavailable with Yahoo's message; updateSymbols adds (polled at once) and removes", async () => {
    nowMs = FRIDAY_OPEN + 30 * MINUTE;
    const { collector } = harness();
    await collector.start();
    await collector.updateSymbols([row("THYAO.IS"), row("NOPE.IS")]);
    expect(server.requests.at(-1)).toMatchObject({ symbol: "NOPE.IS", status: 404 });
    expect(collector.health().symbols["YAHOO:NOPE.IS"]).toMatchObject({ status: "unavailable", reason: "Yahoo: No data found, symbol may be delisted" });
    expect(collector.health().status).toBe("healthy");
    await collector.updateSymbols([row("NOPE.IS")]);
    expect(Object.keys(collector.health().symbols)).toEqual(["YAHOO:NOPE.IS"]);
    expect(collector.health().status).toBe("down");
    await collector.updateSymbols([row("NOPE.IS"), { ...row("GARAN.IS"), calendar: "LSE" }]);
    expect(collector.health().symbols["YAHOO:GARAN.IS"]).toMatchObject({ status: "unavailable", reason: "cannot collect YAHOO:GARAN.IS: unknown calendar LSE" });
  });

  it("registers the BullMQ job scheduler and its jobs poll", async () => {
    nowMs = FRIDAY_OPEN + 30 * MINUTE;
    const { collector } = harness({ schedule: true, pollIntervalMs: 200 });
    await collector.start();
    const queue = new Queue(YAHOO_POLL_QUEUE, { connection: queueConnection("producer"), prefix: redisKeys(namespace).queuePrefix() });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((scheduler) => ({ key: scheduler.key, every: Number(scheduler.every) }))).toEqual([{ key: YAHOO_POLL_SCHEDULER_ID, every: 200 }]);
    const polls = collector.polls;
    const deadline = Date.now() + 10_000;
    while (collector.polls < polls + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(collector.polls).toBeGreaterThanOrEqual(polls + 2);
    await queue.removeJobScheduler(YAHOO_POLL_SCHEDULER_ID);
    await queue.close();
  });
});
