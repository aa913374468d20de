/**
 * FeatureEngineV1: feature set v1 for one (symbol, timeframe), streaming on top of IndicatorEngine
 * (push closed bars, preview the open one; the same contract). Features of bar t read only bars ≤ t.
 * Batch = this engine in a loop. Pure. Formulas: feature-set-v1.ts and README.md.
 */
import { IndicatorEngine } from "../indicators/indicator-engine.ts";
import type { IndicatorValues, OhlcvBar, SessionKeyFn } from "../indicators/indicator-types.ts";
import { emptyIndicatorValues } from "../indicators/indicator-types.ts";
import { SmaState } from "../indicators/moving-average.ts";
import type { FeatureRowV1, MarketOpenFn } from "./feature-set-v1.ts";
import { FEATURE_SET_V1, alwaysOpen } from "./feature-set-v1.ts";
import { RollingStdState } from "./rolling-std.ts";

export interface FeatureEngineOptions {
  /** Is the market open at a bar's open time? Default: always (crypto). */
  isMarketOpen?: MarketOpenFn;
  /** VWAP sessions of the underlying indicator engine (not used by v1 features themselves). */
  sessionKey?: SessionKeyFn;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const CLOSES_KEPT = 10;

const ratio = (value: number | null, base: number | null): number | null =>
  value === null || base === null || base === 0 ? null : value / base - 1;
const flag = (condition: boolean | null): number | null => (condition === null ? null : condition ? 1 : 0);
const modulo = (value: number, size: number) => ((value % size) + size) % size;

/** Committed scalar state (copied, never mutated in place by a preview). */
interface Memory {
  previousClose: number;
  previousVolume: number;
  volumePriceTrend: number;
  previousMacd: number | null;
  previousSignal: number | null;
}

/**
 * @example
 * const features = new FeatureEngineV1();
 * const rows = bars.map((bar) => features.push(bar)); // rows[t].featureSet === "v1"
 * features.preview(openBar).rsi14;                    // live value, state unchanged
 */
export class FeatureEngineV1 {
  private readonly indicators: IndicatorEngine;
  private readonly values: IndicatorValues = emptyIndicatorValues();
  private readonly isMarketOpen: MarketOpenFn;
  private readonly closes = new Float64Array(CLOSES_KEPT);
  private readonly volumeSma5 = new SmaState(5);
  private readonly volatility = [new RollingStdState(5), new RollingStdState(10), new RollingStdState(20)] as const;
  private writeAt = 0;
  private count = 0;
  private memory: Memory = { previousClose: 0, previousVolume: 0, volumePriceTrend: 0, previousMacd: null, previousSignal: null };

  constructor(options: FeatureEngineOptions = {}) {
    this.indicators = new IndicatorEngine({ sessionKey: options.sessionKey });
    this.isMarketOpen = options.isMarketOpen ?? alwaysOpen;
  }

  push(bar: OhlcvBar): FeatureRowV1 {
    this.indicators.push(bar, this.values);
    const row = this.compute(bar, true);
    this.closes[this.writeAt] = bar.close;
    this.writeAt = (this.writeAt + 1) % CLOSES_KEPT;
    this.count++;
    return row;
  }

  preview(bar: OhlcvBar): FeatureRowV1 {
    this.indicators.preview(bar, this.values);
    return this.compute(bar, false);
  }

  /** closeₜ₋ₙ, or null before it exists. */
  private pastClose(bars: number): number | null {
    return this.count >= bars ? (this.closes[modulo(this.writeAt - bars, CLOSES_KEPT)] ?? null) : null;
  }

  private compute(bar: OhlcvBar, commit: boolean): FeatureRowV1 {
    const { close } = bar;
    const [close1, close5, close10] = [this.pastClose(1), this.pastClose(5), this.pastClose(10)];
    const return1 = ratio(close, close1);
    const log = (past: number | null) => (past === null || past <= 0 || close <= 0 ? null : Math.log(close / past));
    const [std5, std10, std20] = this.volatility.map((state) => (return1 === null ? null : state.update(return1, commit)));
    return {
      featureSet: FEATURE_SET_V1,
      openTime: bar.openTime,
      return1,
      return5: ratio(close, close5),
      return10: ratio(close, close10),
      logReturn1: log(close1),
      logReturn5: log(close5),
      logReturn10: log(close10),
      momentum10: close10 === null ? null : close - close10,
      volatility5: std5 ?? null,
      volatility10: std10 ?? null,
      volatility20: std20 ?? null,
      rangeRatio: close === 0 ? null : (bar.high - bar.low) / close,
      ...this.volumeFeatures(bar, commit),
      ...this.indicatorFeatures(close, commit),
      hour: modulo(Math.floor(bar.openTime / HOUR_MS), 24),
      dayOfWeek: modulo(Math.floor(bar.openTime / DAY_MS) + 4, 7), // 1970-01-01 was a Thursday
      isMarketOpen: this.isMarketOpen(bar.openTime) ? 1 : 0,
    };
  }

  private volumeFeatures(bar: OhlcvBar, commit: boolean) {
    const { close, volume } = bar;
    const memory = this.memory;
    const first = this.count === 0;
    const sma5 = this.volumeSma5.update(volume, commit);
    const sma20 = this.values.volumeSma20;
    const trend = first || memory.previousClose === 0
      ? memory.volumePriceTrend
      : memory.volumePriceTrend + (volume * (close - memory.previousClose)) / memory.previousClose;
    if (commit) this.memory = { ...memory, previousClose: close, previousVolume: volume, volumePriceTrend: trend };
    return {
      volumeChange1: first || memory.previousVolume === 0 ? null : volume / memory.previousVolume - 1,
      volumeMomentum: sma5 === null || sma20 === null || sma20 === 0 ? null : sma5 / sma20 - 1,
      volumeRatio20: this.values.relVolume20,
      volumePriceTrend: trend,
    };
  }

  private indicatorFeatures(close: number, commit: boolean) {
    const v = this.values;
    const { previousMacd, previousSignal } = this.memory;
    const macdKnown = v.macd !== null && v.macdSignal !== null;
    const crossKnown = macdKnown && previousMacd !== null && previousSignal !== null;
    const bandsKnown = v.bbUpper !== null && v.bbLower !== null && v.bbMiddle !== null;
    const width = bandsKnown ? (v.bbUpper as number) - (v.bbLower as number) : null;
    const keltner = v.atr14 !== null && v.sma20 !== null ? 1.5 * v.atr14 : null;
    if (commit) this.memory = { ...this.memory, previousMacd: v.macd, previousSignal: v.macdSignal };
    return {
      rsi14: v.rsi14,
      rsiZone: v.rsi14 === null ? null : v.rsi14 <= 30 ? -1 : v.rsi14 >= 70 ? 1 : 0,
      macdHistNorm: v.macdHist === null || close === 0 ? null : v.macdHist / close,
      macdAboveSignal: flag(macdKnown ? (v.macd as number) > (v.macdSignal as number) : null),
      macdCrossUp: flag(crossKnown ? previousMacd <= previousSignal && (v.macd as number) > (v.macdSignal as number) : null),
      macdCrossDown: flag(crossKnown ? previousMacd >= previousSignal && (v.macd as number) < (v.macdSignal as number) : null),
      bbPosition: width === null || width === 0 ? null : (close - (v.bbLower as number)) / width,
      bbWidth: width === null || v.bbMiddle === 0 ? null : width / (v.bbMiddle as number),
      bbSqueeze: flag(bandsKnown && keltner !== null && v.sma20 !== null
        ? (v.bbUpper as number) < v.sma20 + keltner && (v.bbLower as number) > v.sma20 - keltner
        : null),
      distSma20: ratio(close, v.sma20),
      distSma50: ratio(close, v.sma50),
      distSma200: ratio(close, v.sma200),
      aboveSma20: flag(v.sma20 === null ? null : close > v.sma20),
      aboveSma50: flag(v.sma50 === null ? null : close > v.sma50),
      aboveSma200: flag(v.sma200 === null ? null : close > v.sma200),
    };
  }
}

/**
 * Feature set v1 for `bars` (ascending openTime): one row per bar, same order, each with `featureSet: "v1"`.
 * @example computeFeaturesV1(bars)[250].distSma200 // close / SMA200 − 1 at bar 250
 */
export function computeFeaturesV1(bars: readonly OhlcvBar[], options: FeatureEngineOptions = {}): FeatureRowV1[] {
  const engine = new FeatureEngineV1(options);
  return bars.map((bar) => engine.push(bar));
}
