/**
 * Batch indicators over a whole bar array: the streaming IndicatorEngine in a loop (so batch and
 * streaming agree exactly). Pure.
 */
import type { IndicatorEngineOptions } from "./indicator-engine.ts";
import { IndicatorEngine } from "./indicator-engine.ts";
import type { IndicatorSeries, IndicatorValueKey, IndicatorValues, OhlcvBar } from "./indicator-types.ts";
import { INDICATOR_KEYS, SCANNER_KEYS, emptyIndicatorValues } from "./indicator-types.ts";

const ALL_KEYS: readonly IndicatorValueKey[] = [...INDICATOR_KEYS, ...SCANNER_KEYS];

/** A series record with one empty array per key. */
export function emptyIndicatorSeries(): IndicatorSeries {
  const series = {} as IndicatorSeries;
  for (const key of ALL_KEYS) series[key] = [];
  return series;
}

/** One Float64Array per series; NaN where the series has no value (warm-up). */
export type IndicatorColumns = Record<IndicatorValueKey, Float64Array>;

/** Columns of `length` zeros, created as one literal so the object keeps a fixed shape. */
function emptyColumns(length: number): IndicatorColumns {
  const f = () => new Float64Array(length);
  return {
    rsi14: f(), macd: f(), macdSignal: f(), macdHist: f(), bbUpper: f(), bbMiddle: f(), bbLower: f(), sma20: f(),
    sma50: f(), sma100: f(), sma200: f(), ema12: f(), ema26: f(), ema50: f(), vwap: f(), stochK: f(), stochD: f(),
    atr14: f(), adx14: f(), plusDi14: f(), minusDi14: f(), volumeSma20: f(), obv: f(), willr14: f(), relVolume20:
    f(), change1: f(), change5: f(), change15: f()
  };
}

/** Unrolled copy of one bar's values into the columns (named property access keeps this loop fast). */
function copyRow(c: IndicatorColumns, i: number, v: IndicatorValues): void {
  const NaN = Number.NaN;
  c.rsi14[i] = v.rsi14 ?? NaN;
  c.macd[i] = v.macd ?? NaN;
  c.macdSignal[i] = v.macdSignal ?? NaN;
  c.macdHist[i] = v.macdHist ?? NaN;
  c.bbUpper[i] = v.bbUpper ?? NaN;
  c.bbMiddle[i] = v.bbMiddle ?? NaN;
  c.bbLower[i] = v.bbLower ?? NaN;
  c.sma20[i] = v.sma20 ?? NaN;
  c.sma50[i] = v.sma50 ?? NaN;
  c.sma100[i] = v.sma100 ?? NaN;
  c.sma200[i] = v.sma200 ?? NaN;
  c.ema12[i] = v.ema12 ?? NaN;
  c.ema26[i] = v.ema26 ?? NaN;
  c.ema50[i] = v.ema50 ?? NaN;
  c.vwap[i] = v.vwap ?? NaN;
  c.stochK[i] = v.stochK ?? NaN;
  c.stochD[i] = v.stochD ?? NaN;
  c.atr14[i] = v.atr14 ?? NaN;
  c.adx14[i] = v.adx14 ?? NaN;
  c.plusDi14[i] = v.plusDi14 ?? NaN;
  c.minusDi14[i] = v.minusDi14 ?? NaN;
  c.volumeSma20[i] = v.volumeSma20 ?? NaN;
  c.obv[i] = v.obv ?? NaN;
  c.willr14[i] = v.willr14 ?? NaN;
  c.relVolume20[i] = v.relVolume20 ?? NaN;
  c.change1[i] = v.change1 ?? NaN;
  c.change5[i] = v.change5 ?? NaN;
  c.change15[i] = v.change15 ?? NaN;
}

/**
 * Every indicator for `bars` (ascending openTime) as Float64Array columns, NaN during each warm-up: the
 * allocation-free batch path (the engine in a loop). Throws a RangeError on a bad or out-of-order bar.
 * @example
 * const columns = computeIndicatorColumns(bars);
 * columns.sma200[198]; // NaN (warm-up); columns.sma200[199] is the first SMA(200)
 */
export function computeIndicatorColumns(bars: readonly OhlcvBar[], options: IndicatorEngineOptions = {}): IndicatorColumns {
  const engine = new IndicatorEngine(options);
  const columns = emptyColumns(bars.length);
  const values = emptyIndicatorValues();
  for (let index = 0; index < bars.length; index++) {
    engine.push(bars[index] as OhlcvBar, values);
    copyRow(columns, index, values);
  }
  return columns;
}

/** A column as a plain array, NaN → null (the engine never outputs NaN for finite bars). */
function toNullable(column: Float64Array): (number | null)[] {
  const values: (number | null)[] = new Array<number | null>(column.length);
  for (let index = 0; index < column.length; index++) {
    const value = column[index] as number;
    values[index] = Number.isNaN(value) ? null : value;
  }
  return values;
}

/**
 * Every indicator (INDICATOR_KEYS + SCANNER_KEYS) for `bars` (ascending openTime): one array per series,
 * one entry per bar, `null` during each warm-up (INDICATOR_WARMUP). Throws a RangeError on a bad or
 * out-of-order bar.
 * @example
 * const series = computeIndicators(bars);
 * series.rsi14[14]; // the first RSI(14) value (TA-Lib begIndex 14)
 */
export function computeIndicators(bars: readonly OhlcvBar[], options: IndicatorEngineOptions = {}): IndicatorSeries {
  const columns = computeIndicatorColumns(bars, options);
  const series = emptyIndicatorSeries();
  for (const key of ALL_KEYS) series[key] = toNullable(columns[key]);
  return series;
}
