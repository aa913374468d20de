/**
 * The Alpaca collector on the NYSE calendar (config/holidays/nyse.yaml) against the fake Alpaca server, whose
 * recording streams around the clock like Alpaca's pre-/after-hours feed, on a virtual clock (60× real time):
 * before Monday 2023-04-03's open it is "closed" ("market closed; opens 2023-04-03T13:30:00Z"), not connected and
 * not failing; at the open it connects, repairs and streams; at the close (16:00 New York = 20:00Z in EDT) it
 * reports "closed" with the next open, closes the socket after the grace period, and keeps exactly the
 * regular-session minutes 13:30–19:59Z equal to the recording (revisions included), none from the extended hours.
 */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCalendarHolidays } from "../../server/config/holidays-config.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import type { ExchangeCalendar } from "../../server/domain/calendars/calendar-types.ts";
import { createExchangeCalendar } from "../../server/domain/calendars/exchange-calendar.ts";
import { env } from "../../server/env.ts";
import { MINUTE, startHarness, symbolRow, waitFor } from "./alpaca.collector.test-harness.ts";

const TICKER = "FAKEPACS";
const SYMBOL = `ALPACA:${TICKER}`;
const OPEN = Date.UTC(2023, 3, 3, 13, 30);
const CLOSE = Date.UTC(2023, 3, 3, 20, 0);

describe("Alpaca collector and NYSE sessions", () => {
  let pool: pg.Pool;
  let redis: Redis;
  let calendar: ExchangeCalendar;
  const namespace = `itest-${randomBytes(3).toString("hex")}`;
  const harness = (start: number, closeGraceMs?: number) =>
    startHarness({ pool, redis, namespace, start, calendar, closeGraceMs, tickers: [TICKER], symbols: [symbolRow(TICKER)], pageSize: 10_000 });

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    calendar = createExchangeCalendar("NYSE", await loadCalendarHolidays("NYSE", path.resolve(import.meta.dirname, "../../config/holidays")));
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
  });

  afterAll(async () => {
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("closed before the open (not connected, not failing), then connects at 09:30 New York and streams", async () => {
    const h = await harness(OPEN - 90_000);
    try {
      const health = h.collector.health();
      expect(health).toMatchObject({ status: "closed", reason: "market closed; opens 2023-04-03T13:30:00Z" });
      expect(health.breakers.stream).toMatchObject({ state: "open", heldReason: "market closed", heldUntil: OPEN });
      expect(h.server.connections).toBe(0);
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy after the open");
      expect(h.clock.now()).toBeGreaterThanOrEqual(OPEN);
      expect(h.server.connections).toBe(1);
      expect(h.collector.health().breakers.stream.state).toBe("closed");
      await waitFor(() => (h.collector.health().symbols[SYMBOL]?.lastBarAt ?? 0) >= OPEN + 2 * MINUTE, 15_000, "live bars after the open");
      await h.sink.flush();
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: OPEN - 24 * 60 * MINUTE, to: OPEN + 3 * MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual([OPEN, OPEN + MINUTE, OPEN + 2 * MINUTE]); // no pre-market minute
    } finally {
      await h.stop();
    }
  });

  it("at the close: 'closed' with the next open, socket closed after the grace, only session minutes kept (gap repaired)", async () => {
    const h = await harness(CLOSE - 3 * MINUTE, 60_000);
    try {
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy (gap since the first test repaired)");
      await waitFor(() => h.collector.health().status === "closed", 20_000, "closed at 16:00 New York");
      expect(h.collector.health().reason).toBe("market closed; opens 2023-04-04T13:30:00Z");
      await waitFor(() => h.server.subscriptions().length === 0, 10_000, "socket closed after the grace period");
      expect(h.clock.now()).toBeGreaterThanOrEqual(CLOSE + 60_000);
      await waitFor(() => h.collector.health().symbols[SYMBOL]?.status === "closed", 20_000, "repair after the close done");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(h.server.connections).toBe(1); // no reconnect while closed
      await h.sink.flush();
      await waitFor(() => h.sink.backlog === 0, 10_000, "sink drained");
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: OPEN - 24 * 60 * MINUTE, to: CLOSE + 4 * 60 * MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: 390 }, (_, i) => OPEN + i * MINUTE));
      for (const bar of stored) {
        const expected = h.server.barAt(TICKER, bar.openTime)!;
        expect([bar.open, bar.high, bar.low, bar.close]).toEqual([expected.open, expected.high, expected.low, expected.close]);
        expect(bar.volume).toBeCloseTo(expected.volume, 8); // `u` revisions (also those after the socket closed) applied
      }
      const hourly = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1h", from: OPEN - 30 * MINUTE, to: CLOSE });
      expect(hourly.map((bar) => new Date(bar.openTime).toISOString().slice(11, 16))).toEqual(["13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00"]);
    } finally {
      await h.stop();
    }
  });

  it("started after the close: the repaired minutes set the quality clock, so a closed market is not stale", async () => {
    // Drop the session's last 30 minutes so the start-up repair fetches them over REST while the market is closed.
    await pool.query("DELETE FROM candles WHERE symbol = $1 AND open_time >= to_timestamp($2 / 1000.0)", [SYMBOL, CLOSE - 30 * MINUTE]);
    const h = await harness(CLOSE + 30 * MINUTE);
    try {
      await waitFor(() => h.collector.health().symbols[SYMBOL]?.status === "closed", 20_000, "repair while closed done");
      expect(h.collector.health().status).toBe("closed");
      const snapshot = h.collector.qualitySnapshot(SYMBOL)!;
      expect(snapshot.lastEventTime).toBe(CLOSE);
      expect(snapshot.ageMs).toBe(0); // judged at the last minute's end, not at wall-clock time years later
      expect(snapshot.score).toBe(100);
    } finally {
      await h.stop();
    }
  });
});
