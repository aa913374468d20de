/**
 * `marketlens backfill` against the replay exchange (recorded BTCUSDT 1m klines served under their own tickers
 * BTCBACKFILL / BTCGAPFILL at their recorded times, loop=false) and the test PostgreSQL. Only the BINANCE:BTCBACKFILL
 * and BINANCE:BTCGAPFILL rows are touched (BINANCE:BTCUSDT belongs to other tests).
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../domain/bars/bar.ts";
import { aggregateBars } from "../domain/bars/bar-aggregate.ts";
import { readCandleRange } from "../db/candles.repo.ts";
import { deleteBackfillCheckpoints, readBackfillCheckpoint } from "../db/backfill-checkpoints.repo.ts";
import { env } from "../env.ts";
import type { StoredBarEvent } from "../queues/bar-closed-producer.ts";
import { FakeBinanceServer } from "../replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../replay/replay-dataset.ts";
import { BackfillInputError, DbBackfillStore, binanceBackfillSource, runBackfill } from "../services/backfill.service.ts";
import { BinanceRestClient } from "../sources/binance/binance-rest.ts";
import { ProgressReporter, parseBackfillArgs, runBackfillCommand } from "./backfill.command.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const file = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const gapFile = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230324-outage-gap.json");
const MINUTE = 60_000;
const first = Date.UTC(2023, 3, 1);
const end = Date.UTC(2023, 3, 4); // 4,320 recorded minutes
const gapFirst = 1679655600000;
const gapEnd = 1679669940000 + MINUTE;
const SYMBOL = "BINANCE:BTCBACKFILL";
const GAP_SYMBOL = "BINANCE:BTCGAPFILL";
const recording = (JSON.parse(await readFile(file, "utf8")) as number[][]).map(([openTime, open, high, low, close, volume]) => ({ openTime, open, high, low, close, volume }));

let server: FakeBinanceServer;
let pool: pg.Pool;

function sink() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

function source() {
  return binanceBackfillSource(new BinanceRestClient({ baseUrl: server.url }));
}

async function clean(symbol: string) {
  await pool.query("DELETE FROM candles WHERE symbol = $1", [symbol]);
  await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [symbol]);
  await deleteBackfillCheckpoints(pool, symbol);
}

async function stored(symbol: string, timeframe: Bar["timeframe"], from = first, to = end) {
  return readCandleRange(pool, { symbol, timeframe, from, to });
}

async function countRows(symbol: string) {
  const result = await pool.query<{ timeframe: string; n: string; distinct_n: string }>(
    "SELECT timeframe, count(*) AS n, count(DISTINCT open_time) AS distinct_n FROM candles WHERE symbol = $1 GROUP BY timeframe ORDER BY timeframe",
    [symbol],
  );
  return Object.fromEntries(result.rows.map((row) => [row.timeframe, { n: Number(row.n), distinct: Number(row.distinct_n) }]));
}

function expectEqualToRecording(bars: readonly Pick<Bar, "openTime" | "open" | "high" | "low" | "close" | "volume" | "trades">[]) {
  expect(bars.map(({ openTime, open, high, low, close, volume }) => ({ openTime, open, high, low, close, volume }))).toEqual(recording);
  expect(bars.every((bar) => bar.trades > 0)).toBe(true);
}

beforeAll(async () => {
  const datasets = [ReplayDataset.fromFile("BTCBACKFILL", file, first, false), ReplayDataset.fromFile("BTCGAPFILL", gapFile, gapFirst, false)];
  server = new FakeBinanceServer({ datasets, clock: new ReplayClock(end + 30 * MINUTE, 1) });
  await server.listen();
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
  await clean(SYMBOL);
  await clean(GAP_SYMBOL);
});

afterAll(async () => {
  await clean(SYMBOL);
  await clean(GAP_SYMBOL);
  await pool.end();
  await server.close();
});

describe("backfill into PostgreSQL", () => {
  const events: StoredBarEvent[][] = [];

  it("stops after 2 pages when aborted, keeping the checkpoint", async () => {
    const controller = new AbortController();
    const result = await runBackfill({
      source: source(),
      store: new DbBackfillStore(pool),
      symbol: SYMBOL,
      from: first,
      to: end,
      signal: controller.signal,
      onProgress: (progress) => progress.pages === 2 && controller.abort(),
      onStored: (batch) => events.push(batch),
    });
    expect(result.interruptedAt).toBe(first + 2_000 * MINUTE);
    expect(result.fetched).toBe(2_000);
    expect((await countRows(SYMBOL))["1m"]).toEqual({ n: 2_000, distinct: 2_000 });
    const checkpoint = await readBackfillCheckpoint(pool, { source: "binance", symbol: SYMBOL, timeframe: "1m", from: first, to: end });
    expect(checkpoint).toMatchObject({ nextStart: first + 2_000 * MINUTE, barsFetched: 2_000, completed: false });
  });

  it("resumes from the checkpoint and ends with the whole recording, no duplicates", async () => {
    const out = sink();
    const err = sink();
    const code = await runBackfillCommand(
      { exchange: "binance", symbol: "BTCBACKFILL", from: "2023-04-01", to: "2023-04-04" },
      { databaseUrl: env().DATABASE_URL, binanceRestUrl: server.url, enqueue: (batch) => events.push(batch), stdout: out.stream, stderr: err.stream },
    );
    expect(code).toBe(0);
    expect(out.text()).toContain("resumed at 2023-04-02T09:20:00.000Z");
    expect(out.text()).toContain("2320 bars fetched, 2320 changed");
    expect(err.text()).toMatch(/100% .*ETA/);
    expectEqualToRecording(await stored(SYMBOL, "1m"));
    const counts = await countRows(SYMBOL);
    expect(counts).toEqual({
      "1m": { n: 4_320, distinct: 4_320 },
      "5m": { n: 864, distinct: 864 },
      "15m": { n: 288, distinct: 288 },
      "1h": { n: 72, distinct: 72 },
      "4h": { n: 18, distinct: 18 },
      "1d": { n: 3, distinct: 3 },
    });
    const checkpoint = await readBackfillCheckpoint(pool, { source: "binance", symbol: SYMBOL, timeframe: "1m", from: first, to: end });
    expect(checkpoint).toMatchObject({ nextStart: end, barsFetched: 4_320, completed: true });
  });

  it("stores higher timeframes equal to the aggregation of the 1m bars, provenance rest", async () => {
    const minutes = await stored(SYMBOL, "1m");
    for (const timeframe of ["5m", "1h", "1d"] as const) {
      const expected = aggregateBars(minutes, timeframe).map((bar) => ({ ...bar, source: "rest" }));
      expect(await stored(SYMBOL, timeframe)).toEqual(expected);
    }
  });

  it("enqueued the oldest and newest changed bar per timeframe for analytics", () => {
    const flat = events.flat();
    const oneMinute = flat.filter((event) => event.bar.timeframe === "1m").map((event) => event.bar.openTime);
    expect(oneMinute).toEqual([first, first + 1_999 * MINUTE, first + 2_000 * MINUTE, end - MINUTE]);
    expect(flat.every((event) => event.kind === "revision")).toBe(true);
    expect(new Set(flat.map((event) => event.bar.timeframe))).toEqual(new Set(["1m", "5m", "15m", "1h", "4h", "1d"]));
  });

  it("a second run over the same range changes nothing", async () => {
    const out = sink();
    const enqueued: StoredBarEvent[][] = [];
    const code = await runBackfillCommand(
      { exchange: "binance", symbol: SYMBOL, from: "2023-04-01T00:00:00Z", to: "2023-04-04" },
      { databaseUrl: env().DATABASE_URL, binanceRestUrl: server.url, enqueue: (batch) => enqueued.push(batch), stdout: out.stream, stderr: sink().stream },
    );
    expect(code).toBe(0);
    expect(out.text()).toContain("4320 bars fetched, 0 changed");
    expect(out.text()).toContain("1245 higher-timeframe bars built, 0 changed");
    expect(enqueued).toEqual([]);
    expect((await countRows(SYMBOL))["1m"]).toEqual({ n: 4_320, distinct: 4_320 });
  });

  it("records a hole in the exchange's history as a known gap", async () => {
    const result = await runBackfill({ source: source(), store: new DbBackfillStore(pool), symbol: GAP_SYMBOL, from: gapFirst, to: gapEnd });
    expect(result.fetched).toBe(160);
    const gaps = await pool.query<{ start: string; end: string; reason: string }>(
      "SELECT (extract(epoch FROM gap_start) * 1000)::bigint AS start, (extract(epoch FROM gap_end) * 1000)::bigint AS end, reason FROM known_gaps WHERE symbol = $1",
      [GAP_SYMBOL],
    );
    expect(gaps.rows.map((row) => ({ start: Number(row.start), end: Number(row.end), reason: row.reason }))).toEqual([
      { start: 1679661600000, end: 1679666400000, reason: "no klines in the exchange's history" },
    ]);
  });
});

describe("backfill --out", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "backfill-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes NDJSON equal to the recording, without a database", async () => {
    const target = path.join(dir, "bars.ndjson");
    const out = sink();
    const code = await runBackfillCommand(
      { exchange: "Binance", symbol: "btcbackfill", from: "2023-04-01", to: "2023-04-04", out: target },
      { databaseUrl: "postgresql://nobody@127.0.0.1:1/none", binanceRestUrl: server.url, stdout: out.stream, stderr: sink().stream },
    );
    expect(code).toBe(0);
    const rows = (await readFile(target, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Bar);
    const minutes = rows.filter((row) => row.timeframe === "1m");
    expect(Object.keys(minutes[0]!)).toEqual(["symbol", "timeframe", "openTime", "open", "high", "low", "close", "volume", "trades"]);
    expect(minutes.every((row) => row.symbol === SYMBOL)).toBe(true);
    expectEqualToRecording(minutes);
    expect(rows.filter((row) => row.timeframe === "1d")).toHaveLength(3);
  });
});

describe("backfill bad input", () => {
  const deps = () => ({ databaseUrl: env().DATABASE_URL, binanceRestUrl: server.url, stdout: sink().stream, stderr: sink().stream });

  it("rejects unsupported exchanges, bad dates and empty ranges before touching anything", () => {
    const base = { exchange: "binance", symbol: "BTCUSDT", from: "2023-04-01", to: "2023-04-02" };
    expect(() => parseBackfillArgs({ ...base, exchange: "alpaca", symbol: "BINANCE:BTCUSDT" })).toThrow("not an Alpaca symbol"); // alpaca: server/services/alpaca-backfill-source.integration-test.ts
    expect(() => parseBackfillArgs({ ...base, exchange: "yahoo", symbol: "BINANCE:BTCUSDT" })).toThrow("not a Yahoo symbol"); // yahoo: server/services/yahoo-backfill-source.integration-test.ts
    expect(parseBackfillArgs({ ...base, exchange: "yahoo", symbol: "thyao.is" })).toMatchObject({ exchange: "yahoo", symbol: "YAHOO:THYAO.IS" });
    expect(() => parseBackfillArgs({ ...base, exchange: "kraken" })).toThrow('unknown exchange "kraken"');
    expect(() => parseBackfillArgs({ ...base, from: "2023-02-30" })).toThrow('--from "2023-02-30" is not a date');
    expect(() => parseBackfillArgs({ ...base, to: "yesterday" })).toThrow('--to "yesterday" is not a date');
    expect(() => parseBackfillArgs({ ...base, to: "2023-04-01" })).toThrow("must be before --to");
    expect(() => parseBackfillArgs({ ...base, timeframe: "2m" })).toThrow('--timeframe "2m"');
    expect(() => parseBackfillArgs({ ...base, symbol: "ALPACA:AAPL" })).toThrow("not a Binance symbol");
    expect(parseBackfillArgs({ ...base, from: "2023-04-01T06:30" })).toMatchObject({ symbol: "BINANCE:BTCUSDT", from: Date.UTC(2023, 3, 1, 6, 30), timeframe: "1m" });
  });

  it("turns -1121 into a clear error and changes nothing (no rows, no checkpoint, no file)", async () => {
    const target = path.join(os.tmpdir(), `backfill-nope-${process.pid}.ndjson`);
    await expect(runBackfillCommand({ exchange: "binance", symbol: "NOPEUSDT", from: "2023-04-01", to: "2023-04-02" }, deps())).rejects.toThrow(
      new BackfillInputError('unknown symbol NOPEUSDT: Binance answered -1121 "Invalid symbol."'),
    );
    await expect(runBackfillCommand({ exchange: "binance", symbol: "NOPEUSDT", from: "2023-04-01", to: "2023-04-02", out: target }, deps())).rejects.toThrow("-1121");
    await expect(stat(target)).rejects.toThrow();
    expect(await countRows("BINANCE:NOPEUSDT")).toEqual({});
    expect((await pool.query("SELECT 1 FROM backfill_checkpoints WHERE symbol = 'BINANCE:NOPEUSDT'")).rowCount).toBe(0);
  });
});

describe("ProgressReporter", () => {
  it("prints a line every 5 % when stderr is not a TTY", () => {
    const out = sink();
    const reporter = new ProgressReporter(out.stream, "backfill X");
    for (let i = 1; i <= 100; i += 1) reporter.update({ pages: i, fetched: i, changed: 0, position: i, from: 0, to: 100, startedAt: 0 });
    expect(out.text().trim().split("\n")).toHaveLength(21); // 1 %, 5 %, 10 %, …, 100 %
  });
});
