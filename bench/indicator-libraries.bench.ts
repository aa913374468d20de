/**
 * The npm indicator libraries our core replaced, measured in the same run as bench/indicators.bench.ts
 * on the same BTC/USDT 1h fixture and the same set of indicators (RSI, MACD, BB, SMA 20/50/100/200,
 * EMA 12/26/50, Stochastic, ATR, ADX, OBV, Williams %R, VWAP, volume SMA):
 * - trading-signals 8.3.0: streaming `update(x, false)` per new bar, and a 5,000-bar batch (the same loop);
 * - technicalindicators 3.1.0: streaming `nextValue()` per new bar (its batch is in indicators.bench.ts).
 * Their accuracy against TA-Lib is in docs/decisions.md / INDICATORS.md (7–10 of 22 series wrong).
 * Run: node --import tsx bench/indicator-libraries.bench.ts
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as TS from "trading-signals";
import * as TI from "technicalindicators";
import type { BenchResult } from "./bench-result.ts";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/ohlcv/binance_BTC_USDT-1h.json");
type Row = [number, number, number, number, number, number];
interface Candle { open: number; high: number; low: number; close: number; volume: number }

function candles(): Candle[] {
  return (JSON.parse(readFileSync(FIXTURE, "utf8")) as Row[]).map(([, open, high, low, close, volume]) => ({ open, high, low, close, volume }));
}

/** One streaming step over every indicator of a trading-signals set. */
function tradingSignalsSet() {
  const set = {
    rsi: new TS.RSI(14), macd: new TS.MACD(new TS.EMA(12), new TS.EMA(26), new TS.EMA(9)), bb: new TS.BollingerBands(20, 2),
    smas: [20, 50, 100, 200].map((p) => new TS.SMA(p)), emas: [12, 26, 50].map((p) => new TS.EMA(p)),
    stoch: new TS.StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 }), atr: new TS.ATR(14), adx: new TS.ADX(14),
    obv: new TS.OBV(2), willr: new TS.WilliamsR(14), vwap: new TS.VWAP(), volumeSma: new TS.SMA(20),
  };
  return (c: Candle) => {
    set.rsi.update(c.close, false);
    set.macd.update(c.close, false);
    set.bb.update(c.close, false);
    for (const sma of set.smas) sma.update(c.close, false);
    for (const ema of set.emas) ema.update(c.close, false);
    set.stoch.update(c, false);
    set.atr.update(c, false);
    set.adx.update(c, false);
    set.obv.update(c, false);
    set.willr.update(c, false);
    set.vwap.update(c, false);
    set.volumeSma.update(c.volume, false);
  };
}

/** One streaming step over every indicator of a technicalindicators set (nextValue API). */
function technicalIndicatorsSet() {
  const empty = { values: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
  const set = {
    rsi: new TI.RSI({ ...empty, period: 14 }),
    macd: new TI.MACD({ ...empty, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
    bb: new TI.BollingerBands({ ...empty, period: 20, stdDev: 2 }),
    smas: [20, 50, 100, 200].map((period) => new TI.SMA({ ...empty, period })), emas: [12, 26, 50].map((period) => new TI.EMA({ ...empty, period })),
    stoch: new TI.Stochastic({ ...empty, period: 14, signalPeriod: 3 }), atr: new TI.ATR({ ...empty, period: 14 }), adx: new TI.ADX({ ...empty, period: 14 }),
    obv: new TI.OBV({ ...empty }), willr: new TI.WilliamsR({ ...empty, period: 14 }), vwap: new TI.VWAP({ ...empty }), volumeSma: new TI.SMA({ ...empty, period: 20 }),
  };
  return (c: Candle) => {
    set.rsi.nextValue(c.close);
    set.macd.nextValue(c.close);
    set.bb.nextValue(c.close);
    for (const sma of set.smas) sma.nextValue(c.close);
    for (const ema of set.emas) ema.nextValue(c.close);
    set.stoch.nextValue(c as never); // its typings say StochasticInput; the runtime takes a candle
    set.atr.nextValue(c);
    set.adx.nextValue(c as never);
    set.obv.nextValue(c as never);
    set.willr.nextValue(c as never);
    set.vwap.nextValue(c);
    set.volumeSma.nextValue(c.volume);
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** µs per new bar after 500 seed bars (median of runs, after a warm-up run). */
function perBar(data: readonly Candle[], makeStep: () => (c: Candle) => void, runs: number): number {
  const times: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const step = makeStep();
    for (let i = 0; i < 500; i += 1) step(data[i]!);
    const started = performance.now();
    for (let i = 500; i < data.length; i += 1) step(data[i]!);
    if (run > 0) times.push(((performance.now() - started) * 1000) / (data.length - 500));
  }
  return median(times);
}

function batchMs(data: readonly Candle[], makeStep: () => (c: Candle) => void, runs: number): number {
  const times: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = performance.now();
    const step = makeStep();
    for (let i = 0; i < 5_000; i += 1) step(data[i]!);
    if (run > 0) times.push(performance.now() - started);
  }
  return median(times);
}

export async function runIndicatorLibrariesBench(options: { runs?: number } = {}): Promise<BenchResult[]> {
  const runs = options.runs ?? 7;
  const data = candles();
  const note = `same fixture and indicator set as our core; median of ${runs} runs after a warm-up`;
  return [
    { name: "trading-signals 8.3.0: all indicators, per new bar (update)", value: perBar(data, tradingSignalsSet, runs), unit: "µs", budget: "< 20 µs", note },
    { name: "trading-signals 8.3.0: 5,000-bar batch (the same loop)", value: batchMs(data, tradingSignalsSet, runs), unit: "ms", budget: "< 5 ms", note },
    { name: "technicalindicators 3.1.0: all indicators, per new bar (nextValue)", value: perBar(data, technicalIndicatorsSet, runs), unit: "µs", budget: "< 20 µs", note },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const result of await runIndicatorLibrariesBench()) console.log(`${result.name.padEnd(70)} ${result.value.toFixed(2).padStart(9)} ${result.unit}`);
}
