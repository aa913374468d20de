/**
 * `marketlens backfill --exchange yahoo` path: runBackfill with the Yahoo source against the fake Yahoo server
 * (THYAO.IS synthesized on BIST sessions, null rows), real PostgreSQL: an interrupted then resumed run stores
 * exactly the rows of an uninterrupted one (1m and the 5m…1d built from them); a repeated run changes nothing;
 * daily bars land on the session dates; an unknown symbol and 1m older than 30 days are refused with nothing stored.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Bar } from "../domain/bars/bar.ts";
import { TIMEFRAMES } from "../domain/time/timeframes.ts";
import { readCandleRange } from "../db/candles.repo.ts";
import { env } from "../env.ts";
import { FakeYahooServer } from "../replay/fake-yahoo-server.ts";
import type { FakeChartSeries } from "../replay/fake-yahoo-series.ts";
import { loadYahooReplaySeries } from "../replay/yahoo-replay-datasets.ts";
import { runBackfillCommand } from "../cli/backfill.command.ts";
import { YahooChartClient } from "../sources/yahoo/yahoo-chart-client.ts";
import { BackfillInputError, DbBackfillStore, runBackfill } from "./backfill.service.ts";
import { yahooBackfillSource } from "./yahoo-backfill-source.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
// Its own ticker (the THYAO.IS series under another name), so the collector test running beside it keeps its rows.
const TICKER = "THYAOBF.IS";
const SYMBOL = `YAHOO:${TICKER}`;
const NOW = Date.UTC(2026, 10, 21, 12); // Saturday
const FROM = Date.UTC(2026, 10, 16); // Monday
const TO = Date.UTC(2026, 10, 21);

describe("Yahoo backfill source over the fake Yahoo server", () => {
  let pool: pg.Pool;
  let server: FakeYahooServer;
  const source = () => yahooBackfillSource(new YahooChartClient({ baseUrl: server.url, sleep: async () => undefined }), { now: () => NOW, sleep: async () => undefined });

  async function allRows(): Promise<Bar[]> {
    const rows: Bar[] = [];
    for (const timeframe of TIMEFRAMES) rows.push(...(await readCandleRange(pool, { symbol: SYMBOL, timeframe, from: FROM, to: TO })));
    return rows;
  }

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    const [thyao] = await loadYahooReplaySeries(ROOT);
    const alias: FakeChartSeries = { ticker: TICKER, meta: (now, interval) => ({ ...thyao!.meta(now, interval), symbol: TICKER }), rows: (...args) => thyao!.rows(...args) };
    server = new FakeYahooServer({ series: [alias], clock: { now: () => NOW } });
    await server.listen();
  });

  beforeEach(async () => {
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM backfill_checkpoints WHERE source = 'yahoo'");
  });

  afterAll(async () => {
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM backfill_checkpoints WHERE source = 'yahoo'");
    await server.close();
    await pool.end();
  });

  it("interrupted then resumed stores exactly the rows of an uninterrupted run; a repeated run changes nothing", async () => {
    const store = new DbBackfillStore(pool);
    const whole = await runBackfill({ source: source(), store, symbol: SYMBOL, timeframe: "1m", from: FROM, to: TO });
    expect(whole.fetched).toBeGreaterThan(4 * 400); // five BIST sessions of 480 minutes, minus null rows
    expect(whole.gaps).toEqual([]);
    const uninterrupted = await allRows();
    const daily = uninterrupted.filter((bar) => bar.timeframe === "1d").map((bar) => new Date(bar.openTime).toISOString().slice(0, 10));
    expect(daily).toEqual(["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]);

    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM backfill_checkpoints WHERE source = 'yahoo'");
    const controller = new AbortController();
    const first = await runBackfill({ source: source(), store, symbol: SYMBOL, timeframe: "1m", from: FROM, to: TO, signal: controller.signal, onProgress: (progress) => progress.pages === 2 && controller.abort() });
    expect(first.interruptedAt).not.toBeNull();
    expect((await allRows()).length).toBeLessThan(uninterrupted.length);
    const resumed = await runBackfill({ source: source(), store, symbol: SYMBOL, timeframe: "1m", from: FROM, to: TO });
    expect(resumed.resumedFrom).toBe(first.interruptedAt);
    expect(await allRows()).toEqual(uninterrupted);

    const again = await runBackfill({ source: source(), store, symbol: SYMBOL, timeframe: "1m", from: FROM, to: TO });
    expect(again.changed).toBe(0);
    expect(await allRows()).toEqual(uninterrupted);
  });

  it("1d bars come from Yahoo's daily rows, stamped 00:00 UTC of the session date", async () => {
    const result = await runBackfill({ source: source(), store: new DbBackfillStore(pool), symbol: SYMBOL, timeframe: "1d", from: FROM, to: TO });
    expect(result.fetched).toBe(5);
    const rows = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1d", from: FROM, to: TO });
    expect(rows.map((bar) => bar.openTime)).toEqual([16, 17, 18, 19, 20].map((day) => Date.UTC(2026, 10, day)));
  });

  it("marketlens backfill --exchange yahoo --timeframe 1d --out FILE writes the daily bars as NDJSON, no database", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "yahoo-backfill-"));
    const file = path.join(directory, "thyao.ndjson");
    const output = new PassThrough();
    let text = "";
    output.on("data", (chunk: Buffer) => (text += chunk.toString()));
    try {
      const code = await runBackfillCommand(
        { exchange: "yahoo", symbol: TICKER, from: "2026-11-16", to: "2026-11-21", timeframe: "1d", out: file },
        { databaseUrl: "postgresql://nobody@127.0.0.1:1/none", binanceRestUrl: "http://127.0.0.1:1", yahoo: { baseUrl: server.url }, stdout: output, stderr: new PassThrough() },
      );
      expect(code).toBe(0);
      const rows = (await readFile(file, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Bar);
      expect(rows.map((bar) => [bar.symbol, bar.timeframe, bar.openTime])).toEqual([16, 17, 18, 19, 20].map((day) => [SYMBOL, "1d", Date.UTC(2026, 10, day)]));
      expect(text).toMatch(/backfill YAHOO:THYAOBF.IS 1d .*: 5 bars fetched, 5 changed/);
      expect(await allRows()).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("refuses an unknown symbol and 1m older than 30 days, storing nothing", async () => {
    const store = new DbBackfillStore(pool);
    await expect(runBackfill({ source: source(), store, symbol: "YAHOO:NOPE.IS", timeframe: "1m", from: FROM, to: TO })).rejects.toThrowError(/Yahoo refused NOPE.IS: No data found, symbol may be delisted/);
    await expect(runBackfill({ source: source(), store, symbol: SYMBOL, timeframe: "1m", from: Date.UTC(2026, 9, 1), to: Date.UTC(2026, 9, 2) })).rejects.toThrowError(BackfillInputError);
    expect(await allRows()).toEqual([]);
  });
});
