/**
 * The candlestick patterns Marketlens detects: name, TA-Lib function, TA-Lib lookback (first index with an
 * output) and a label for descriptions. Pure. To add a pattern: write its detector (TA-Lib CDL source as the
 * reference), add it here and to the golden parity test (the golden file already holds every CDL function).
 */
import type { CandleWindow } from "./candle-window.ts";
import {
  darkCloudCover, engulfing, eveningStar, harami, morningStar, piercing, threeBlackCrows, threeWhiteSoldiers,
} from "./multi-candle-patterns.ts";
import {
  doji, dragonflyDoji, gravestoneDoji, hammer, hangingMan, invertedHammer, marubozu, shootingStar, spinningTop,
} from "./single-candle-patterns.ts";

export interface PatternDefinition {
  name: PatternName;
  /** The TA-Lib function it reproduces. */
  talib: string;
  /** TA-Lib lookback with default candle settings: outputs start at this index. */
  lookback: number;
  /** TA-Lib's integer (±100, ±80 or 0) for the current candle of the window. */
  detect: (window: CandleWindow) => number;
  /** Plain-English name for a non-zero output. */
  label: (value: number) => string;
}

export const PATTERN_NAMES = [
  "doji", "dragonflyDoji", "gravestoneDoji", "hammer", "invertedHammer", "hangingMan", "shootingStar", "marubozu",
  "spinningTop", "engulfing", "harami", "piercing", "darkCloudCover", "morningStar", "eveningStar",
  "threeWhiteSoldiers", "threeBlackCrows",
] as const;

export type PatternName = (typeof PATTERN_NAMES)[number];

/** One pattern value per name: TA-Lib's integer, `null` before the pattern's lookback. */
export type PatternValues = Record<PatternName, number | null>;

const fixed = (text: string) => () => text;
const signed = (text: string) => (value: number) => `${value > 0 ? "bullish" : "bearish"} ${text}`;

// Lookbacks are TA-Lib's formulas with the default settings (BodyLong/BodyShort/BodyDoji/ShadowVeryShort 10,
// ShadowLong 0, Near/Far 5), e.g. CDLHAMMER max(10, 0, 10, 5) + 1 = 11; CDLENGULFING is fixed at 2.
export const PATTERNS: readonly PatternDefinition[] = [
  { name: "doji", talib: "CDLDOJI", lookback: 10, detect: doji, label: fixed("doji") },
  { name: "dragonflyDoji", talib: "CDLDRAGONFLYDOJI", lookback: 10, detect: dragonflyDoji, label: fixed("dragonfly doji") },
  { name: "gravestoneDoji", talib: "CDLGRAVESTONEDOJI", lookback: 10, detect: gravestoneDoji, label: fixed("gravestone doji") },
  { name: "hammer", talib: "CDLHAMMER", lookback: 11, detect: hammer, label: fixed("hammer") },
  { name: "invertedHammer", talib: "CDLINVERTEDHAMMER", lookback: 11, detect: invertedHammer, label: fixed("inverted hammer") },
  { name: "hangingMan", talib: "CDLHANGINGMAN", lookback: 11, detect: hangingMan, label: fixed("hanging man") },
  { name: "shootingStar", talib: "CDLSHOOTINGSTAR", lookback: 11, detect: shootingStar, label: fixed("shooting star") },
  { name: "marubozu", talib: "CDLMARUBOZU", lookback: 10, detect: marubozu, label: signed("marubozu") },
  { name: "spinningTop", talib: "CDLSPINNINGTOP", lookback: 10, detect: spinningTop, label: fixed("spinning top") },
  { name: "engulfing", talib: "CDLENGULFING", lookback: 2, detect: engulfing, label: signed("engulfing") },
  { name: "harami", talib: "CDLHARAMI", lookback: 11, detect: harami, label: signed("harami") },
  { name: "piercing", talib: "CDLPIERCING", lookback: 11, detect: piercing, label: fixed("piercing line") },
  { name: "darkCloudCover", talib: "CDLDARKCLOUDCOVER", lookback: 11, detect: (w) => darkCloudCover(w), label: fixed("dark cloud cover") },
  { name: "morningStar", talib: "CDLMORNINGSTAR", lookback: 12, detect: (w) => morningStar(w), label: fixed("morning star") },
  { name: "eveningStar", talib: "CDLEVENINGSTAR", lookback: 12, detect: (w) => eveningStar(w), label: fixed("evening star") },
  { name: "threeWhiteSoldiers", talib: "CDL3WHITESOLDIERS", lookback: 12, detect: threeWhiteSoldiers, label: fixed("three white soldiers") },
  { name: "threeBlackCrows", talib: "CDL3BLACKCROWS", lookback: 13, detect: threeBlackCrows, label: fixed("three black crows") },
];

/** A values record with every pattern null. */
export function emptyPatternValues(): PatternValues {
  const values = {} as PatternValues;
  for (const name of PATTERN_NAMES) values[name] = null;
  return values;
}

/** Labels of the patterns present (non-zero), e.g. ["hammer", "bullish engulfing"]. */
export function patternLabels(values: PatternValues): string[] {
  return PATTERNS.flatMap((pattern) => {
    const value = values[pattern.name];
    return value ? [pattern.label(value)] : [];
  });
}
