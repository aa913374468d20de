/**
 * Feature set v1: the names, formulas and warm-ups of Marketlens's ML features (the single source for the
 * row shape, the CSV column order and README.md). Pure. A change to any formula is a new feature set (v2),
 * never an edit here: stored rows are keyed by their version.
 */

export const FEATURE_SET_V1 = "v1";

export interface FeatureDefinition {
  name: string;
  /** The formula, t = the current bar. */
  formula: string;
  /** First index with a value on a series starting at index 0 (null before). */
  warmup: number;
}

/** Every v1 feature, in column order. */
export const FEATURES_V1 = [
  { name: "return1", formula: "closeₜ / closeₜ₋₁ − 1", warmup: 1 },
  { name: "return5", formula: "closeₜ / closeₜ₋₅ − 1", warmup: 5 },
  { name: "return10", formula: "closeₜ / closeₜ₋₁₀ − 1", warmup: 10 },
  { name: "logReturn1", formula: "ln(closeₜ / closeₜ₋₁)", warmup: 1 },
  { name: "logReturn5", formula: "ln(closeₜ / closeₜ₋₅)", warmup: 5 },
  { name: "logReturn10", formula: "ln(closeₜ / closeₜ₋₁₀)", warmup: 10 },
  { name: "momentum10", formula: "closeₜ − closeₜ₋₁₀ (TA-Lib MOM(10), price units)", warmup: 10 },
  { name: "volatility5", formula: "sample std (n − 1) of the last 5 return1 values", warmup: 5 },
  { name: "volatility10", formula: "sample std (n − 1) of the last 10 return1 values", warmup: 10 },
  { name: "volatility20", formula: "sample std (n − 1) of the last 20 return1 values", warmup: 20 },
  { name: "rangeRatio", formula: "(highₜ − lowₜ) / closeₜ", warmup: 0 },
  { name: "volumeChange1", formula: "volumeₜ / volumeₜ₋₁ − 1 (null when volumeₜ₋₁ = 0)", warmup: 1 },
  { name: "volumeMomentum", formula: "SMA5(volume) / SMA20(volume) − 1 (null when SMA20 = 0)", warmup: 19 },
  { name: "volumeRatio20", formula: "volumeₜ / mean(volume of the previous 20 bars) (= relVolume20; null when that mean = 0)", warmup: 20 },
  { name: "volumePriceTrend", formula: "VPTₜ = VPTₜ₋₁ + volumeₜ·(closeₜ − closeₜ₋₁)/closeₜ₋₁, VPT₀ = 0 (cumulative from the first bar given)", warmup: 0 },
  { name: "rsi14", formula: "RSI(14), TA-Lib", warmup: 14 },
  { name: "rsiZone", formula: "−1 when RSI14 ≤ 30 (oversold), +1 when ≥ 70 (overbought), else 0", warmup: 14 },
  { name: "macdHistNorm", formula: "MACD histogram (12, 26, 9) / closeₜ", warmup: 33 },
  { name: "macdAboveSignal", formula: "1 when MACD > signal, else 0", warmup: 33 },
  { name: "macdCrossUp", formula: "1 when MACDₜ₋₁ ≤ signalₜ₋₁ and MACDₜ > signalₜ, else 0", warmup: 34 },
  { name: "macdCrossDown", formula: "1 when MACDₜ₋₁ ≥ signalₜ₋₁ and MACDₜ < signalₜ, else 0", warmup: 34 },
  { name: "bbPosition", formula: "(close − lowerBB) / (upperBB − lowerBB), BB(20, 2); null when the bands touch", warmup: 19 },
  { name: "bbWidth", formula: "(upperBB − lowerBB) / middleBB", warmup: 19 },
  { name: "bbSqueeze", formula: "1 when both bands lie inside the Keltner channel SMA20 ± 1.5·ATR14 (TTM squeeze), else 0", warmup: 19 },
  { name: "distSma20", formula: "closeₜ / SMA20 − 1", warmup: 19 },
  { name: "distSma50", formula: "closeₜ / SMA50 − 1", warmup: 49 },
  { name: "distSma200", formula: "closeₜ / SMA200 − 1", warmup: 199 },
  { name: "aboveSma20", formula: "1 when closeₜ > SMA20, else 0", warmup: 19 },
  { name: "aboveSma50", formula: "1 when closeₜ > SMA50, else 0", warmup: 49 },
  { name: "aboveSma200", formula: "1 when closeₜ > SMA200, else 0", warmup: 199 },
  { name: "hour", formula: "UTC hour of the bar's open time, 0–23", warmup: 0 },
  { name: "dayOfWeek", formula: "UTC day of week of the bar's open time, 0 = Sunday … 6 = Saturday", warmup: 0 },
  { name: "isMarketOpen", formula: "1 when the caller's calendar says the market is open at the bar's open time (default: always, crypto)", warmup: 0 },
] as const satisfies readonly FeatureDefinition[];

export type FeatureNameV1 = (typeof FEATURES_V1)[number]["name"];

export const FEATURE_NAMES_V1: readonly FeatureNameV1[] = FEATURES_V1.map((feature) => feature.name);

/** One row of feature set v1: the version, the bar's open time, and every feature (null in its warm-up). */
export type FeatureRowV1 = { featureSet: typeof FEATURE_SET_V1; openTime: number } & Record<FeatureNameV1, number | null>;

/** `(openTimeMs) => boolean`: is the market open at that time? Supplied by the caller (exchange calendars). */
export type MarketOpenFn = (openTimeMs: number) => boolean;

/** Crypto default: markets never close. */
export const alwaysOpen: MarketOpenFn = () => true;
