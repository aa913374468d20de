/**
 * Scanner benchmark (DESIGN.md budget: 10,000 symbols × 50 rules per cycle < 50 ms). Pure, in memory: the
 * domain code the scanner worker runs (server/domain/scanner), no Redis.
 * Setup: 10,000 symbols with 20 closed 1m bars, a daily bar and analytics on 1m, 5m, 1h and 1d (random walk,
 * fixed seed); 50 screens over those timeframes mixing thresholds, AND/OR nesting, crosses and metric-vs-metric.
 * Each timed cycle first applies one second's worth of updates (a live 1m and a live 1d bar for every symbol,
 * and 1/60 of the symbols closing their minute: closed 1m bar + 1m analytics event), then runs `scanCycle`
 * (12 toplists of K = 50 by partial selection + the 50 screens). 10 warm-up cycles, then ≥ 50 timed.
 * Reports p50 / p99 of the cycle alone and of updates + cycle. Never asserts.
 * Run: node --import tsx bench/scanner.bench.ts [--cycles N]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Bar } from "../server/domain/bars/bar.ts";
import type { RuleDocument, RuleGroup } from "../server/domain/rules/rule-types.ts";
import { createScanOutput, scanCycle } from "../server/domain/scanner/scan-cycle.ts";
import { CompiledScreen } from "../server/domain/scanner/screen-program.ts";
import { ScannerState } from "../server/domain/scanner/scanner-state.ts";
import type { Timeframe } from "../server/domain/time/timeframes.ts";
import type { BenchResult } from "./bench-result.ts";

const SYMBOLS = 10_000;
const SCREENS = 50;
const K = 50;
const WARMUP_CYCLES = 10;
const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 20, 12);

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

/** 50 screens: 10 shapes × 5 thresholds/timeframes. */
function screens(): CompiledScreen[] {
  const timeframes: Timeframe[] = ["1m", "5m", "1h", "1d", "1m"];
  const shapes: ((t: number) => RuleGroup)[] = [
    (t) => ({ all: [{ metric: "rsi14", op: "<", value: 25 + t }] }),
    (t) => ({ all: [{ metric: "rsi14", op: ">", value: 65 + t }, { metric: "relVolume20", op: ">=", value: 1.5 + t / 10 }] }),
    () => ({ all: [{ metric: "close", op: ">", value: { metric: "sma50" } }, { metric: "sma50", op: ">", value: { metric: "sma200" } }] }),
    () => ({ any: [{ metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }, { metric: "macd", op: "crosses_below", value: { metric: "macdSignal" } }] }),
    (t) => ({ all: [{ metric: "rsi14", op: "crosses_above", value: 30 + t }] }),
    (t) => ({ any: [{ metric: "change5", op: ">", value: 0.5 + t / 10 }, { all: [{ metric: "change1", op: "<", value: -0.3 }, { metric: "volume", op: ">", value: { metric: "volumeSma20" } }] }] }),
    () => ({ all: [{ metric: "close", op: "<", value: { metric: "bbLower" } }, { metric: "stochK", op: "<", value: 20 }] }),
    (t) => ({ all: [{ metric: "close", op: "crosses_above", value: { metric: "vwap" } }, { metric: "adx14", op: ">", value: 20 + t }] }),
    () => ({ any: [{ metric: "ema12", op: ">", value: { metric: "ema26" } }, { metric: "willr14", op: "<=", value: -80 }, { metric: "obv", op: ">", value: 0 }] }),
    (t) => ({ all: [{ metric: "atr14", op: ">", value: 0.5 + t / 10 }, { any: [{ metric: "plusDi14", op: ">", value: { metric: "minusDi14" } }, { metric: "change15", op: "!=", value: 0 }] }] }),
  ];
  const result: CompiledScreen[] = [];
  for (let index = 0; index < SCREENS; index++) {
    const variant = Math.floor(index / shapes.length);
    const shape = shapes[index % shapes.length] as (t: number) => RuleGroup;
    const rule: RuleDocument = { name: `bench ${index}`, timeframe: timeframes[variant] as Timeframe, when: shape(variant) };
    result.push(new CompiledScreen({ id: `bench-${index}`, rule }));
  }
  return result;
}

function indicators(close: number) {
  const r = () => random();
  return {
    rsi14: 100 * r(), macd: r() - 0.5, macdSignal: r() - 0.5, macdHist: r() - 0.5, bbUpper: close * 1.02, bbMiddle: close, bbLower: close * (0.98 + r() * 0.04),
    sma20: close * (0.99 + r() * 0.02), sma50: close * (0.98 + r() * 0.04), sma100: close, sma200: close * (0.95 + r() * 0.1), ema12: close * (0.99 + r() * 0.02), ema26: close * (0.99 + r() * 0.02), ema50: close,
    vwap: close * (0.98 + r() * 0.04), stochK: 100 * r(), stochD: 100 * r(), atr14: r() * 2, adx14: 50 * r(), plusDi14: 40 * r(), minusDi14: 40 * r(),
    volumeSma20: 100 * r(), obv: r() - 0.5, willr14: -100 * r(), relVolume20: 3 * r(), change1: r() - 0.5, change5: 2 * r() - 1, change15: r() > 0.1 ? r() - 0.5 : 0,
  };
}

const bar = (symbol: string, timeframe: Timeframe, openTime: number, close: number, volume: number): Bar => ({
  symbol, timeframe, openTime, open: close, high: close, low: close, close, volume, trades: 1, source: "trades",
});

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function runScannerBench(options: { cycles?: number } = {}): Promise<BenchResult[]> {
  const cycles = Math.max(50, options.cycles ?? 100);
  const symbols = Array.from({ length: SYMBOLS }, (_, index) => `BENCH:S${String(index).padStart(5, "0")}`);
  const state = new ScannerState({ capacity: SYMBOLS, screenTimeframes: ["1m", "5m", "1h", "1d"] });
  state.setSymbols(symbols);
  const prices = new Float64Array(SYMBOLS).map(() => 10 + random() * 100);
  for (const [index, symbol] of symbols.entries()) {
    const price = prices[index] as number;
    for (let minute = 20; minute >= 1; minute--) state.applyBar(bar(symbol, "1m", START - minute * MINUTE, price * (0.99 + random() * 0.02), 10), "closed");
    state.applyBar(bar(symbol, "1d", START - 12 * 60 * MINUTE, price * (0.95 + random() * 0.1), 1_000), "live");
    for (const timeframe of ["1m", "5m", "1h", "1d"] as const) state.applyAnalytics({ symbol, timeframe, openTime: START - MINUTE, indicators: indicators(price) });
  }
  const compiled = screens();
  const output = createScanOutput(K);
  // One second's updates, prepared up front so only their application is timed.
  const updates = Array.from({ length: WARMUP_CYCLES + cycles }, (_, cycle) => {
    const minute = START + Math.floor(cycle / 60) * MINUTE;
    const closing = new Set(Array.from({ length: Math.ceil(SYMBOLS / 60) }, () => Math.floor(random() * SYMBOLS)));
    return symbols.map((symbol, index) => {
      const price = (prices[index] = (prices[index] as number) * (0.999 + random() * 0.002));
      return {
        live: bar(symbol, "1m", minute, price, 5 * random()),
        day: bar(symbol, "1d", START - 12 * 60 * MINUTE, price, 1_000 + cycle),
        closed: closing.has(index) ? bar(symbol, "1m", minute - MINUTE, price, 10) : null,
        analytics: closing.has(index) ? { symbol, timeframe: "1m" as const, openTime: minute - MINUTE + cycle, indicators: indicators(price) } : null,
      };
    });
  });
  const cycleTimes: number[] = [];
  const totalTimes: number[] = [];
  let matches = 0;
  for (const [cycle, batch] of updates.entries()) {
    const started = performance.now();
    for (const update of batch) {
      state.applyBar(update.live, "live");
      state.applyBar(update.day, "live");
      if (update.closed) state.applyBar(update.closed, "closed");
      if (update.analytics) state.applyAnalytics(update.analytics);
    }
    const scanStarted = performance.now();
    scanCycle(state, compiled, output);
    const ended = performance.now();
    if (cycle >= WARMUP_CYCLES) {
      cycleTimes.push(ended - scanStarted);
      totalTimes.push(ended - started);
      for (const screen of compiled) matches += screen.matchCount;
    }
  }
  cycleTimes.sort((a, b) => a - b);
  totalTimes.sort((a, b) => a - b);
  const context = `${SYMBOLS.toLocaleString("en-US")} symbols × ${SCREENS} screens (1m/5m/1h/1d; thresholds, AND/OR, crosses, metric-vs-metric), 12 toplists of K = ${K}; ${cycles} cycles after ${WARMUP_CYCLES} warm-up; mean ${Math.round(matches / cycles / SCREENS)} matches per screen`;
  const updatesNote = `before each cycle: ${(2 * SYMBOLS).toLocaleString("en-US")} live bar updates (1m + 1d) and ${Math.ceil(SYMBOLS / 60)} closed 1m bars + analytics events`;
  return [
    { name: "scanner cycle (toplists + screens), p50", value: percentile(cycleTimes, 50), unit: "ms", budget: "< 50 ms", note: context },
    { name: "scanner cycle (toplists + screens), p99", value: percentile(cycleTimes, 99), unit: "ms", budget: "< 50 ms", note: context },
    { name: "scanner one second of state updates + cycle, p99", value: percentile(totalTimes, 99), unit: "ms", budget: "< 50 ms", note: updatesNote },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const index = process.argv.indexOf("--cycles");
  const results = await runScannerBench({ cycles: index >= 0 ? Number(process.argv[index + 1]) : undefined });
  for (const result of results) console.log(`${result.name.padEnd(52)} ${result.value.toFixed(2).padStart(8)} ${result.unit}  budget ${result.budget ?? ""}`);
  for (const result of results) if (result.note) console.log(`- ${result.name}: ${result.note}`);
}
