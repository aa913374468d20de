/**
 * Shared types of the indicator core: the bar fields indicators read, the names of every series and
 * their warm-up (first non-null index, TA-Lib's `begIndex` on a series that starts at index 0).
 * Pure. Edit when an indicator is added (also indicator-engine.ts and README.md).
 */
import type { Bar } from "../bars/bar.ts";

/** The bar fields the indicators read; any `Bar` fits. Times are UTC epoch ms. */
export type OhlcvBar = Pick<Bar, "openTime" | "open" | "high" | "low" | "close" | "volume">;

/**
 * Maps a bar's open time to its session: bars with equal keys belong to the same VWAP session.
 * See session-keys.ts for the crypto (UTC date) and NYSE defaults.
 */
export type SessionKeyFn = (openTimeMs: number) => string | number;

/** The 24 TA-Lib-comparable series, in the order `marketlens indicators` prints them. */
export const INDICATOR_KEYS = [
  "rsi14", "macd", "macdSignal", "macdHist", "bbUpper", "bbMiddle", "bbLower",
  "sma20", "sma50", "sma100", "sma200", "ema12", "ema26", "ema50", "vwap",
  "stochK", "stochD", "atr14", "adx14", "plusDi14", "minusDi14", "volumeSma20", "obv", "willr14",
] as const;

/** Scanner helpers computed by the same engine (not TA-Lib functions). */
export const SCANNER_KEYS = ["relVolume20", "change1", "change5", "change15"] as const;

export type IndicatorKey = (typeof INDICATOR_KEYS)[number];
export type ScannerKey = (typeof SCANNER_KEYS)[number];
export type IndicatorValueKey = IndicatorKey | ScannerKey;

/** Every value for one bar; `null` during the warm-up (or when undefined, e.g. a zero divisor). */
export type IndicatorValues = Record<IndicatorValueKey, number | null>;

/** One array per series, one entry per input bar. */
export type IndicatorSeries = Record<IndicatorValueKey, (number | null)[]>;

/**
 * First index with a value on a series that starts at index 0 (TA-Lib's begIndex, see INDICATORS.md).
 * VWAP starts at 0 unless the session's first bars have zero volume; the rest are fixed.
 */
export const INDICATOR_WARMUP: Readonly<Record<IndicatorValueKey, number>> = {
  rsi14: 14, macd: 33, macdSignal: 33, macdHist: 33, bbUpper: 19, bbMiddle: 19, bbLower: 19,
  sma20: 19, sma50: 49, sma100: 99, sma200: 199, ema12: 11, ema26: 25, ema50: 49, vwap: 0,
  stochK: 17, stochD: 17, atr14: 14, adx14: 27, plusDi14: 14, minusDi14: 14, volumeSma20: 19, obv: 0, willr14: 13,
  relVolume20: 20, change1: 1, change5: 5, change15: 15,
};

/** A values record with every key null (engines fill it in place). */
export function emptyIndicatorValues(): IndicatorValues {
  return {
    rsi14: null, macd: null, macdSignal: null, macdHist: null, bbUpper: null, bbMiddle: null, bbLower: null,
    sma20: null, sma50: null, sma100: null, sma200: null, ema12: null, ema26: null, ema50: null, vwap: null,
    stochK: null, stochD: null, atr14: null, adx14: null, plusDi14: null, minusDi14: null, volumeSma20: null,
    obv: null, willr14: null, relVolume20: null, change1: null, change5: null, change15: null,
  };
}
