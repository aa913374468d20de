/**
 * Bar-building benchmark (DESIGN.md budget: parse + normalize + build all 6 timeframes ≥ 200,000 trades/s on
 * one core; BarBuilder for six timeframes at least as fast as ccxt's buildOHLCVC for one).
 * Generates ~1,000,000 Binance `@trade` combined-stream frames (string prices/quantities, increasing ids,
 * 6 hours of trade times) that follow the 1m candles of fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json,
 * then times, on the main thread: JSON.parse alone, parseBinanceFrame alone, parseBinanceFrame → BarBuilder (6
 * timeframes), BarBuilder alone on pre-parsed trades (6 timeframes and 1m only) and ccxt buildOHLCVC('1m') on
 * the same trades. Each figure is the median of several timed runs after a warm-up run. Never asserts.
 * Run: node --import tsx bench/bars.bench.ts [--frames N] [--runs N]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ccxt from "ccxt";
import type { Trade as CcxtTrade } from "ccxt";
import type { BenchResult } from "./bench-result.ts";
import type { Bar, Trade } from "../server/domain/bars/bar.ts";
import { BarBuilder } from "../server/domain/bars/bar-builder.ts";
import type { BarEvent } from "../server/domain/bars/bar-builder.ts";
import { parseBinanceFrame } from "../server/domain/binance/binance-frames.ts";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const MINUTES = 360; // six hours of the fixture
type Candle = [number, number, number, number, number, number];

export interface BarsBenchOptions {
  frames?: number;
  runs?: number;
}

/** mulberry32, so the generated stream is the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prices of one minute's trades: open first, close last, the high and the low somewhere in between. */
function minutePrices(candle: Candle, count: number, random: () => number): number[] {
  const [, open, high, low, close] = candle;
  const prices = Array.from({ length: count }, () => Math.round((low + random() * (high - low)) * 100) / 100);
  const highAt = 1 + Math.floor(random() * (count - 2));
  const lowAt = highAt === 1 ? 2 : 1;
  prices[highAt] = high;
  prices[lowAt] = low;
  prices[0] = open;
  prices[count - 1] = close;
  return prices;
}

/** Raw frames whose trades follow the fixture's candles, with trade counts proportional to candle volume. */
function generateFrames(target: number): string[] {
  const candles = (JSON.parse(readFileSync(FIXTURE, "utf8")) as Candle[]).slice(0, MINUTES);
  const totalVolume = candles.reduce((sum, candle) => sum + candle[5], 0);
  const random = prng(20230401);
  const frames: string[] = [];
  let id = 3_000_000_000;
  for (const candle of candles) {
    const count = Math.max(4, Math.round((target * candle[5]) / totalVolume));
    const prices = minutePrices(candle, count, random);
    const weights = prices.map(() => 0.5 + random());
    const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
    prices.forEach((price, index) => {
      const time = candle[0] + Math.floor(((index + 0.5) * 60_000) / count);
      const quantity = Math.max(0.00001, Math.round(((candle[5] * (weights[index] ?? 1)) / weightSum) * 1e5) / 1e5);
      const data = `"e":"trade","E":${time + 1},"s":"BTCUSDT","t":${id++},"p":"${price.toFixed(8)}","q":"${quantity.toFixed(8)}","T":${time},"m":${random() < 0.5},"M":true`;
      frames.push(`{"stream":"btcusdt@trade","data":{${data}}}`);
    });
  }
  return frames;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Items per second of `work` (which processes `items` items): one warm-up run, then the median of `runs`. */
function rate(items: number, runs: number, work: () => void): number {
  work();
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    work();
    rates.push((items * 1000) / (performance.now() - start));
  }
  return median(rates);
}

let eventCount = 0;
const countEvent = (_event: BarEvent): void => {
  eventCount++;
};

function newBuilder(timeframes?: Bar["timeframe"][], onEvent: (event: BarEvent) => void = countEvent): BarBuilder {
  return new BarBuilder({ latenessMs: 2000, ...(timeframes ? { timeframes } : {}), onEvent });
}

function parseAll(frames: readonly string[]): Trade[] {
  const trades: Trade[] = [];
  for (const frame of frames) {
    const parsed = parseBinanceFrame(frame);
    if (parsed.kind === "trade") trades.push(parsed.trade);
  }
  return trades;
}

/** How many of the built 1m bars reproduce the fixture candle's open/high/low/close exactly (sanity check). */
function matchingMinutes(trades: readonly Trade[]): string {
  const closed: Bar[] = [];
  const builder = newBuilder(["1m"], (event) => {
    if (event.kind === "closed") closed.push(event.bar);
  });
  for (const trade of trades) builder.addTrade(trade);
  builder.advance((trades.at(-1)?.time ?? 0) + 5 * 60_000);
  const candles = (JSON.parse(readFileSync(FIXTURE, "utf8")) as Candle[]).slice(0, MINUTES);
  const same = closed.filter((bar, index) => {
    const candle = candles[index];
    return candle !== undefined && bar.openTime === candle[0] && bar.open === candle[1] && bar.high === candle[2] && bar.low === candle[3] && bar.close === candle[4];
  });
  return `${same.length}/${candles.length}`;
}

/** Runs the benchmark and returns its figures (see the file header). */
export async function runBarsBench(options: BarsBenchOptions = {}): Promise<BenchResult[]> {
  const runs = options.runs ?? 5;
  const frames = generateFrames(options.frames ?? 1_000_000);
  const trades = parseAll(frames);
  const ccxtTrades = trades.map((trade) => ({ timestamp: trade.time, price: trade.price, amount: trade.quantity }) as unknown as CcxtTrade);
  const exchange = new ccxt.binance();
  const size = `${frames.length.toLocaleString("en-US")} BTCUSDT trades over ${MINUTES / 60} h`;
  const median5 = `median of ${runs} runs after a warm-up, main thread`;

  let sink = 0;
  const jsonRate = rate(frames.length, runs, () => {
    for (const frame of frames) sink += (JSON.parse(frame) as { data: { t: number } }).data.t;
  });
  const parseRate = rate(frames.length, runs, () => {
    for (const frame of frames) sink += parseBinanceFrame(frame).kind.length;
  });
  const pipelineRate = rate(frames.length, runs, () => {
    const builder = newBuilder();
    for (const frame of frames) {
      const parsed = parseBinanceFrame(frame);
      if (parsed.kind === "trade") builder.addTrade(parsed.trade);
    }
  });
  const builderRate = rate(trades.length, runs, () => {
    const builder = newBuilder();
    for (const trade of trades) builder.addTrade(trade);
  });
  const builder1mRate = rate(trades.length, runs, () => {
    const builder = newBuilder(["1m"]);
    for (const trade of trades) builder.addTrade(trade);
  });
  const ccxtRate = rate(ccxtTrades.length, runs, () => {
    sink += exchange.buildOHLCVC(ccxtTrades, "1m").length;
  });
  const events = `onEvent counts events (every trade emits a live event per timeframe); 1m bars equal the source candles: ${matchingMinutes(trades)}`;

  return [
    { name: "parse + normalize + build 6 timeframes (raw frame text → BarBuilder)", value: pipelineRate, unit: "frames/s", budget: "≥ 200,000 trades/s on one core", note: `${size}; ${median5}; ${events}` },
    { name: "JSON.parse only (same frames, for scale)", value: jsonRate, unit: "frames/s", note: median5 },
    { name: "parseBinanceFrame only (JSON.parse + checks + Trade)", value: parseRate, unit: "frames/s", note: median5 },
    { name: "BarBuilder, 6 timeframes (pre-parsed trades)", value: builderRate, unit: "trades/s", budget: "≥ ccxt buildOHLCVC for 1 timeframe", note: `${median5}; latenessMs 2000` },
    { name: "BarBuilder, 1m only (pre-parsed trades)", value: builder1mRate, unit: "trades/s", note: median5 },
    { name: "ccxt buildOHLCVC, 1m (same trades)", value: ccxtRate, unit: "trades/s", note: `ccxt ${ccxt.version}; ${median5}` },
    { name: "BarBuilder 6 timeframes ÷ ccxt buildOHLCVC 1m", value: builderRate / ccxtRate, unit: "×", budget: "≥ 1", note: sink > 0 && eventCount > 0 ? "same run" : "" },
  ];
}

function printTable(results: readonly BenchResult[]): void {
  const rows = results.map((result) => [result.name, `${result.value.toLocaleString("en-US", { maximumFractionDigits: result.value < 100 ? 2 : 0 })} ${result.unit}`, result.budget ?? ""]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  for (const row of rows) console.log(row.map((text, column) => (column === 1 ? text.padStart(widths[1] ?? 0) : text.padEnd(widths[column] ?? 0))).join("  "));
  const note = results[0]?.note;
  if (note) console.log(`\n${note}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const argument = (flag: string) => {
    const index = process.argv.indexOf(flag);
    return index >= 0 ? Number(process.argv[index + 1]) : undefined;
  };
  printTable(await runBarsBench({ frames: argument("--frames"), runs: argument("--runs") }));
}
