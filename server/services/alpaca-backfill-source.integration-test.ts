/**
 * `backfill --exchange alpaca` against the fake Alpaca server (the BTC/USDT 1m recording served at its own times,
 * 2023-04-01 Sat → 2023-04-03 Mon, around the clock like Alpaca's extended-hours data) on the NYSE calendar and the
 * test PostgreSQL: next_page_token paging, only the 390 regular-session minutes of Monday 2023-04-03 (13:30–19:59Z,
 * EDT) stored, 1h and 1d built from them (the 1d bar stamped 00:00 UTC of the session date), no known gaps;
 * a run aborted after its first page resumes to exactly the rows of an uninterrupted run; a repeated run changes
 * nothing; --out writes NDJSON; bad input is refused. Only ALPACA:FAKEPACU / FAKEPACR / FAKEPACO rows are touched.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBackfillArgs, runBackfillCommand } from "../cli/backfill.command.ts";
import { loadCalendarHolidays } from "../config/holidays-config.ts";
import { deleteBackfillCheckpoints, readBackfillCheckpoint } from "../db/backfill-checkpoints.repo.ts";
import type { Bar } from "../domain/bars/bar.ts";
import type { ExchangeCalendar } from "../domain/calendars/calendar-types.ts";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import { env } from "../env.ts";
import { FakeAlpacaServer } from "../replay/fake-alpaca-server.ts";
import { ReplayClock, ReplayDataset } from "../replay/replay-dataset.ts";
import { AlpacaRestClient } from "../sources/alpaca/alpaca-rest.ts";
import { alpacaBackfillSource } from "./alpaca-backfill-source.ts";
import { BackfillInputError, DbBackfillStore, runBackfill } from "./backfill.service.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const RECORDING = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const MINUTE = 60_000;
const FROM = Date.UTC(2023, 3, 1);
const TO = Date.UTC(2023, 3, 4);
const OPEN = Date.UTC(2023, 3, 3, 13, 30);
const KEYS = { keyId: "PKTEST", secretKey: "secret" };
const TICKERS = ["FAKEPACU", "FAKEPACR", "FAKEPACO"];
const SYMBOLS = TICKERS.map((ticker) => `ALPACA:${ticker}`);

let server: FakeAlpacaServer;
let pool: pg.Pool;
let calendar: ExchangeCalendar;

const source = () => alpacaBackfillSource(new AlpacaRestClient({ baseUrl: server.url, ...KEYS }), { calendar });
const rowsOf = async (symbol: string) =>
  (await pool.query<{ timeframe: string; open_time: Date; open: number; high: number; low: number; close: number; volume: number; trades: number }>(
    "SELECT timeframe, open_time, open::float8 AS open, high::float8 AS high, low::float8 AS low, close::float8 AS close, volume::float8 AS volume, trades FROM candles WHERE symbol = $1 ORDER BY timeframe, open_time",
    [symbol],
  )).rows.map((row) => ({ ...row, open_time: row.open_time.getTime() }));

async function clean() {
  for (const symbol of SYMBOLS) {
    await pool.query("DELETE FROM candles WHERE symbol = $1", [symbol]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [symbol]);
    await deleteBackfillCheckpoints(pool, symbol);
  }
}

beforeAll(async () => {
  calendar = createExchangeCalendar("NYSE", await loadCalendarHolidays("NYSE", path.join(root, "config/holidays")));
  const datasets = TICKERS.map((ticker) => ReplayDataset.fromFile(ticker, RECORDING, FROM, false));
  server = new FakeAlpacaServer({ datasets, clock: new ReplayClock(TO + 60 * MINUTE, 1), ...KEYS, pageSize: 1_000 });
  await server.listen();
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
  await clean();
});

afterAll(async () => {
  await clean();
  await pool.end();
  await server.close();
});

describe("Alpaca backfill", () => {
  it("pages with next_page_token, keeps only regular-session minutes, builds 1h and 1d, records no gaps", async () => {
    const result = await runBackfill({ source: source(), store: new DbBackfillStore(pool), symbol: SYMBOLS[0]!, from: FROM, to: TO });
    expect(server.pageTokens.length).toBeGreaterThanOrEqual(4); // 4,320 recorded minutes at 1,000 per page
    expect(result.fetched).toBe(390);
    expect(result.gaps).toEqual([]);
    const minutes = (await rowsOf(SYMBOLS[0]!)).filter((row) => row.timeframe === "1m");
    expect(minutes.map((row) => row.open_time)).toEqual(Array.from({ length: 390 }, (_, i) => OPEN + i * MINUTE));
    for (const row of minutes) {
      const expected = server.barAt("FAKEPACU", row.open_time)!;
      expect([row.open, row.high, row.low, row.close, row.volume]).toEqual([expected.open, expected.high, expected.low, expected.close, expected.volume]);
    }
    const hourly = (await rowsOf(SYMBOLS[0]!)).filter((row) => row.timeframe === "1h");
    expect(hourly.map((row) => new Date(row.open_time).toISOString().slice(11, 16))).toEqual(["13:00", "14:00", "15:00", "16:00", "17:00", "18:00", "19:00"]);
    const daily = (await rowsOf(SYMBOLS[0]!)).filter((row) => row.timeframe === "1d");
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ open_time: Date.UTC(2023, 3, 3), open: minutes[0]!.open, close: minutes[389]!.close });
    expect(daily[0]!.high).toBe(Math.max(...minutes.map((row) => row.high)));
    const gaps = await pool.query("SELECT 1 FROM known_gaps WHERE symbol = $1", [SYMBOLS[0]]);
    expect(gaps.rowCount).toBe(0);
    const again = await runBackfill({ source: source(), store: new DbBackfillStore(pool), symbol: SYMBOLS[0]!, from: FROM, to: TO });
    expect([again.fetched, again.changed]).toEqual([390, 0]); // idempotent
  });

  it("a run aborted after its first page resumes to exactly the rows of an uninterrupted run", async () => {
    const controller = new AbortController();
    const first = await runBackfill({
      source: source(), store: new DbBackfillStore(pool), symbol: SYMBOLS[1]!, from: FROM, to: TO, signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(first.interruptedAt).not.toBeNull();
    expect(first.fetched).toBeGreaterThan(0);
    expect(first.fetched).toBeLessThan(390);
    const checkpoint = await readBackfillCheckpoint(pool, { source: "alpaca", symbol: SYMBOLS[1]!, timeframe: "1m", from: FROM, to: TO });
    expect(checkpoint).toMatchObject({ completed: false, nextStart: first.interruptedAt });
    const resumed = await runBackfill({ source: source(), store: new DbBackfillStore(pool), symbol: SYMBOLS[1]!, from: FROM, to: TO });
    expect(resumed.resumedFrom).toBe(first.interruptedAt);
    expect(first.fetched + resumed.fetched).toBe(390);
    const strip = (rows: Awaited<ReturnType<typeof rowsOf>>) => rows.map(({ timeframe, open_time, open, high, low, close, volume, trades }) => ({ timeframe, open_time, open, high, low, close, volume, trades }));
    expect(strip(await rowsOf(SYMBOLS[1]!))).toEqual(strip(await rowsOf(SYMBOLS[0]!)));
  });

  it("the CLI: --exchange alpaca --out FILE writes NDJSON; bad input is refused before anything runs", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "alpaca-backfill-"));
    const out = path.join(directory, "bars.ndjson");
    const stdout = new PassThrough();
    let printed = "";
    stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    try {
      const code = await runBackfillCommand(
        { exchange: "alpaca", symbol: "fakepaco", from: "2023-04-01", to: "2023-04-04", out },
        { databaseUrl: env().DATABASE_URL, binanceRestUrl: "http://127.0.0.1:9", alpaca: { dataUrl: server.url, ...KEYS, feed: "iex" }, stdout, stderr: new PassThrough() },
      );
      expect(code).toBe(0);
      const lines = (await readFile(out, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Bar);
      expect(lines.filter((bar) => bar.timeframe === "1m")).toHaveLength(390);
      expect(lines.filter((bar) => bar.timeframe === "1d").map((bar) => bar.openTime)).toEqual([Date.UTC(2023, 3, 3)]);
      expect(printed).toContain("backfill ALPACA:FAKEPACO 1m");
      expect(printed).toContain("390 bars fetched");
      expect((await rowsOf(SYMBOLS[2]!)).length).toBe(0); // --out: no database
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    expect(parseBackfillArgs({ exchange: "alpaca", symbol: "aapl", from: "2024-03-08", to: "2024-03-12" })).toMatchObject({ exchange: "alpaca", symbol: "ALPACA:AAPL" });
    expect(() => parseBackfillArgs({ exchange: "alpaca", symbol: "BINANCE:BTCUSDT", from: "2024-03-08", to: "2024-03-12" })).toThrow("--symbol BINANCE:BTCUSDT is not an Alpaca symbol (--exchange alpaca)");
    const deps = { databaseUrl: env().DATABASE_URL, binanceRestUrl: "http://127.0.0.1:9", stdout: new PassThrough(), stderr: new PassThrough() };
    await expect(runBackfillCommand({ exchange: "alpaca", symbol: "AAPL", from: "2024-03-08", to: "2024-03-12" }, { ...deps, alpaca: { dataUrl: server.url, keyId: undefined, secretKey: undefined, feed: "iex" } })).rejects.toThrow(
      "alpaca backfill needs API keys: set ALPACA_KEY_ID and ALPACA_SECRET_KEY",
    );
    await expect(runBackfillCommand({ exchange: "alpaca", symbol: "AAPL", from: "2024-03-08", to: "2024-03-12", timeframe: "1h" }, { ...deps, alpaca: { dataUrl: server.url, ...KEYS, feed: "iex" } })).rejects.toBeInstanceOf(BackfillInputError);
  });
});
