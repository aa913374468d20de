/**
 * Indicator benchmark (DESIGN.md budget: all indicators, incremental, one new bar < 20 µs; 5,000-bar batch
 * < 5 ms). On the real BTC/USDT 1h fixture (fixtures/ohlcv/binance_BTC_USDT-1h.json), main thread:
 * - IndicatorEngine.push per new bar (engine rehydrated from 500 bars, then the remaining ~4,980 bars),
 *   mean and p99 of single pushes; IndicatorEngine.preview of the open bar;
 * - 5,000-bar batch: computeIndicatorColumns (Float64Array columns) and computeIndicators (null arrays);
 * - per-bar cost of patterns (PatternEngine), feature set v1 (FeatureEngineV1) and the full CandleEnricher;
 * - technicalindicators, if the package is installed (it is not a dependency: the row says so when absent).
 * Each figure is the median of several timed runs after a warm-up run. Never asserts.
 * Run: node --import tsx bench/indicators.bench.ts [--runs N]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchResult } from "./bench-result.ts";
import type { Bar } from "../server/domain/bars/bar.ts";
import { FeatureEngineV1 } from "../server/domain/features/feature-engine-v1.ts";
import { computeIndicatorColumns, computeIndicators } from "../server/domain/indicators/indicator-batch.ts";
import { IndicatorEngine } from "../server/domain/indicators/indicator-engine.ts";
import { emptyIndicatorValues } from "../server/domain/indicators/indicator-types.ts";
import { CandleEnricher } from "../server/domain/patterns/candle-enricher.ts";
import { PatternEngine } from "../server/domain/patterns/pattern-engine.ts";
import { emptyPatternValues } from "../server/domain/patterns/pattern-registry.ts";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/ohlcv/binance_BTC_USDT-1h.json");
const SEED_BARS = 500;
const BATCH_BARS = 5000;

function loadBars(): Bar[] {
  const rows = JSON.parse(readFileSync(FIXTURE, "utf8")) as [number, number, number, number, number, number][];
  return rows.map(([openTime, open, high, low, close, volume]) => ({
    symbol: "BINANCE:BTCUSDT", timeframe: "1h", openTime, open, high, low, close, volume, trades: 0, source: "rest",
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Median wall time (ms) of `runs` calls of `body` after one warm-up call; `setup` is not timed. */
function timeMs<T>(runs: number, setup: () => T, body: (input: T) => void): number {
  body(setup());
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const input = setup();
    const start = performance.now();
    body(input);
    times.push(performance.now() - start);
  }
  return median(times);
}

/** p99 of single `push` calls (µs), timed one by one with hrtime (includes ~0.05 µs of timer overhead). */
function pushP99(bars: readonly Bar[]): number {
  const engine = new IndicatorEngine();
  const out = emptyIndicatorValues();
  for (const bar of bars.slice(0, SEED_BARS)) engine.push(bar, out);
  const samples: number[] = [];
  for (const bar of bars.slice(SEED_BARS)) {
    const start = process.hrtime.bigint();
    engine.push(bar, out);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length * 0.99)] ?? Number.NaN;
}

interface SeededEngine<E> {
  engine: E;
  rest: readonly Bar[];
}

/** Per-bar µs of `step` over the bars after the first SEED_BARS (engine seeded untimed). */
function perBarMicros<E>(bars: readonly Bar[], runs: number, create: () => E, step: (engine: E, bar: Bar) => void): number {
  const setup = (): SeededEngine<E> => {
    const engine = create();
    for (const bar of bars.slice(0, SEED_BARS)) step(engine, bar);
    return { engine, rest: bars.slice(SEED_BARS) };
  };
  const ms = timeMs(runs, setup, ({ engine, rest }) => {
    for (const bar of rest) step(engine, bar);
  });
  return (ms * 1000) / (bars.length - SEED_BARS);
}

type TechnicalIndicators = Record<string, { calculate(input: Record<string, unknown>): unknown[] }>;

/** technicalindicators' batch for the same 14 indicators, or a reason it could not run. */
async function technicalIndicatorsBatch(bars: readonly Bar[], runs: number): Promise<BenchResult> {
  const name = "technicalindicators";
  const row = { name: `technicalindicators, ${BATCH_BARS}-bar batch (RSI, MACD, BB, 4 SMA, 3 EMA, Stoch, ATR, ADX, OBV, %R, VWAP, volume SMA)`, unit: "ms" };
  let library: TechnicalIndicators;
  try {
    library = (await import(name)) as TechnicalIndicators;
  } catch {
    return { ...row, value: Number.NaN, note: "not installed in this repo (not a dependency): comparison skipped; INDICATORS.md measured ≈ 70–95 ms per batch and ≈ 10.5 µs per candle for 3.1.0" };
  }
  const slice = bars.slice(0, BATCH_BARS);
  const [values, high, low, close, volume] = [slice.map((bar) => bar.close), slice.map((bar) => bar.high), slice.map((bar) => bar.low), slice.map((bar) => bar.close), slice.map((bar) => bar.volume)];
  const call = (indicator: string, input: Record<string, unknown>) => library[indicator]?.calculate(input);
  const value = timeMs(runs, () => undefined, () => {
    call("RSI", { values, period: 14 });
    call("MACD", { values, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false });
    call("BollingerBands", { values, period: 20, stdDev: 2 });
    for (const period of [20, 50, 100, 200]) call("SMA", { values, period });
    for (const period of [12, 26, 50]) call("EMA", { values, period });
    call("Stochastic", { high, low, close, period: 14, signalPeriod: 3 });
    call("ATR", { high, low, close, period: 14 });
    call("ADX", { high, low, close, period: 14 });
    call("OBV", { close, volume });
    call("WilliamsR", { high, low, close, period: 14 });
    call("VWAP", { high, low, close, volume });
    call("SMA", { values: volume, period: 20 });
  });
  return { ...row, value, note: `median of ${runs} runs after a warm-up (whole-series VWAP: it has no sessions)` };
}

export async function runIndicatorsBench(options: { runs?: number } = {}): Promise<BenchResult[]> {
  const runs = options.runs ?? 15;
  const bars = loadBars();
  const batchBars = bars.slice(0, BATCH_BARS);
  const newBars = bars.length - SEED_BARS;
  const context = `BTC/USDT 1h fixture; engine rehydrated from ${SEED_BARS} bars, then ${newBars.toLocaleString("en-US")} new bars timed; median of ${runs} runs after a warm-up`;
  const values = emptyIndicatorValues();
  const patternValues = emptyPatternValues();
  let sink = 0;

  const push = perBarMicros(bars, runs, () => new IndicatorEngine(), (engine, bar) => engine.push(bar, values));
  const preview = perBarMicros(bars, runs, () => new IndicatorEngine(), (engine, bar) => {
    engine.preview({ ...bar, close: bar.open }, values);
    engine.preview(bar, values);
    engine.push(bar, values);
  }) - push;
  const p99 = pushP99(bars);
  const columns = timeMs(runs, () => undefined, () => (sink += computeIndicatorColumns(batchBars).rsi14.length));
  const arrays = timeMs(runs, () => undefined, () => (sink += computeIndicators(batchBars).rsi14.length));
  const patterns = perBarMicros(bars, runs, () => new PatternEngine(), (engine, bar) => engine.push(bar, patternValues));
  const features = perBarMicros(bars, runs, () => new FeatureEngineV1(), (engine, bar) => (sink += engine.push(bar).hour ?? 0));
  const enriched = perBarMicros(bars, Math.min(runs, 5), () => new CandleEnricher(), (engine, bar) => (sink += engine.push(bar).signals.length));
  const comparison = await technicalIndicatorsBatch(bars, runs);

  return [
    { name: "all indicators, incremental: IndicatorEngine.push per new bar (28 series)", value: push, unit: "µs", budget: "< 20 µs", note: context },
    { name: "IndicatorEngine.push, p99 of single calls", value: p99, unit: "µs", budget: "< 20 µs", note: "timed one by one with process.hrtime (includes timer overhead)" },
    { name: "IndicatorEngine.preview of the open bar (per call)", value: preview / 2, unit: "µs", note: "(2 previews + push) − push, halved" },
    { name: `${BATCH_BARS.toLocaleString("en-US")}-bar batch, all indicators (computeIndicatorColumns, Float64Array)`, value: columns, unit: "ms", budget: "< 5 ms", note: `median of ${runs} runs after a warm-up; the engine in a loop` },
    { name: `${BATCH_BARS.toLocaleString("en-US")}-bar batch, all indicators (computeIndicators, arrays with null)`, value: arrays, unit: "ms", note: "same, boxed output used by the CLI" },
    { name: "17 candlestick patterns: PatternEngine.push per new bar", value: patterns, unit: "µs", note: context },
    { name: "feature set v1: FeatureEngineV1.push per new bar (indicators included)", value: features, unit: "µs", note: context },
    { name: "enriched candle: CandleEnricher.push per new bar (indicators, patterns, context, S/R, description)", value: enriched, unit: "µs", note: `100-bar context window; ${sink > 0 ? "same run" : ""}` },
    comparison,
  ];
}

function printTable(results: readonly BenchResult[]): void {
  for (const result of results) {
    const value = Number.isFinite(result.value) ? result.value.toFixed(result.value < 10 ? 3 : 1) : "n/a";
    console.log(`${result.name.padEnd(100)} ${value.padStart(9)} ${result.unit.padEnd(3)} ${result.budget ?? ""}`);
  }
  for (const result of results) if (result.note) console.log(`- ${result.name}: ${result.note}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const index = process.argv.indexOf("--runs");
  printTable(await runIndicatorsBench({ runs: index >= 0 ? Number(process.argv[index + 1]) : undefined }));
}
