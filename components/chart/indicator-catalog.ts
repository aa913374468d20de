/**
 * What the chart can draw on top of the candles: the toggles of the indicator panel, the series
 * each one adds (engine key, colour, line or histogram), the pane it lives in, and the pattern
 * marker groups. Pure data. Edit to add an indicator the IndicatorEngine already computes.
 */
import type { IndicatorValueKey } from "../../server/domain/indicators/indicator-types.ts";
import type { PatternName } from "../../server/domain/patterns/pattern-registry.ts";

/** Toggle ids: also the tokens of the chart's `data-indicators` attribute. */
export const INDICATOR_IDS = [
  "bb", "sma20", "sma50", "sma100", "sma200", "ema12", "ema26", "ema50", "vwap", "volume", "rsi", "macd", "stoch",
] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

/** Panes below the price, top to bottom. */
export const PANEL_ORDER = ["rsi", "macd", "stoch"] as const;
export type PanelId = (typeof PANEL_ORDER)[number];
export type PaneId = "price" | PanelId;

export interface SeriesSpec {
  key: IndicatorValueKey;
  /** Legend name of this line within its indicator ("" when the indicator has one line). */
  name: string;
  color: string;
  kind: "line" | "histogram";
  dashed?: boolean;
}

export interface IndicatorDefinition {
  id: IndicatorId;
  /** Checkbox label (its accessible name). */
  label: string;
  /** Legend title, with the parameters. */
  title: string;
  pane: PaneId;
  series: readonly SeriesSpec[];
  /** Horizontal reference lines (RSI 30/70, Stochastic 20/80). */
  levels?: readonly number[];
  /** Fixed value range of the pane's scale (oscillators). */
  range?: { min: number; max: number };
}

const line = (key: IndicatorValueKey, color: string, name = "", dashed = false): SeriesSpec => ({ key, name, color, kind: "line", dashed });

/** Every indicator except volume (the candle chart's own histogram, shown or hidden). */
export const INDICATORS: readonly IndicatorDefinition[] = [
  {
    id: "bb", label: "Bollinger Bands", title: "BB 20 2", pane: "price",
    series: [line("bbUpper", "#5b8def", "upper"), line("bbMiddle", "#5b8def", "basis", true), line("bbLower", "#5b8def", "lower")],
  },
  { id: "sma20", label: "SMA 20", title: "SMA 20", pane: "price", series: [line("sma20", "#f6c343")] },
  { id: "sma50", label: "SMA 50", title: "SMA 50", pane: "price", series: [line("sma50", "#ff8a3d")] },
  { id: "sma100", label: "SMA 100", title: "SMA 100", pane: "price", series: [line("sma100", "#e06ad6")] },
  { id: "sma200", label: "SMA 200", title: "SMA 200", pane: "price", series: [line("sma200", "#e8ebf0")] },
  { id: "ema12", label: "EMA 12", title: "EMA 12", pane: "price", series: [line("ema12", "#4dd0e1")] },
  { id: "ema26", label: "EMA 26", title: "EMA 26", pane: "price", series: [line("ema26", "#9c7cf4")] },
  { id: "ema50", label: "EMA 50", title: "EMA 50", pane: "price", series: [line("ema50", "#9ccc65")] },
  { id: "vwap", label: "VWAP", title: "VWAP (UTC day)", pane: "price", series: [line("vwap", "#ff80ab", "", true)] },
  {
    id: "rsi", label: "RSI", title: "RSI 14", pane: "rsi", series: [line("rsi14", "#b39ddb")],
    levels: [30, 70], range: { min: 0, max: 100 },
  },
  {
    id: "macd", label: "MACD", title: "MACD 12 26 9", pane: "macd",
    series: [
      line("macd", "#42a5f5", "macd"),
      line("macdSignal", "#ff9800", "signal"),
      { key: "macdHist", name: "hist", color: "#8b93a1", kind: "histogram" },
    ],
  },
  {
    id: "stoch", label: "Stochastic", title: "Stoch 14 3 3", pane: "stoch",
    series: [line("stochK", "#42a5f5", "%K"), line("stochD", "#ff9800", "%D")],
    levels: [20, 80], range: { min: 0, max: 100 },
  },
];

export function indicatorDefinition(id: IndicatorId): IndicatorDefinition | undefined {
  return INDICATORS.find((definition) => definition.id === id);
}

/** Pattern marker groups: the meaningful reversal/continuation set, and the frequent doji family. */
export const PATTERN_GROUP_IDS = ["patterns", "doji"] as const;
export type PatternGroupId = (typeof PATTERN_GROUP_IDS)[number];

export interface PatternGroup {
  id: PatternGroupId;
  label: string;
  patterns: readonly PatternName[];
  /** Neutral patterns get a grey dot; the others an arrow by the sign of TA-Lib's value. */
  neutral: boolean;
}

export const PATTERN_GROUPS: readonly PatternGroup[] = [
  {
    id: "patterns", label: "Candle patterns", neutral: false,
    patterns: [
      "engulfing", "hammer", "shootingStar", "morningStar", "eveningStar", "threeWhiteSoldiers", "threeBlackCrows",
      "piercing", "darkCloudCover",
    ],
  },
  { id: "doji", label: "Doji & spinning top", neutral: true, patterns: ["doji", "dragonflyDoji", "gravestoneDoji", "spinningTop"] },
];

/**
 * Weakest TA-Lib value that gets a marker. Engulfing: only the strict ±100; TA-Lib's ±80 (one body end
 * equal) is most of the hits on 24/7 candles that open at the previous close (159 → 48 on 1,000 1m bars).
 */
export const PATTERN_MIN_STRENGTH: Partial<Readonly<Record<PatternName, number>>> = { engulfing: 100 };

/** Short marker text per pattern and direction (TA-Lib sign: + bullish, − bearish). */
export const PATTERN_TEXT: Readonly<Record<PatternName, (value: number) => string>> = {
  doji: () => "Doji",
  dragonflyDoji: () => "Dragonfly",
  gravestoneDoji: () => "Gravestone",
  hammer: () => "Hammer",
  invertedHammer: () => "Inv Hammer",
  hangingMan: () => "Hanging Man",
  shootingStar: () => "Shooting Star",
  marubozu: (value) => (value > 0 ? "Bull Marubozu" : "Bear Marubozu"),
  spinningTop: () => "Spinning Top",
  engulfing: (value) => (value > 0 ? "Bull Engulfing" : "Bear Engulfing"),
  harami: (value) => (value > 0 ? "Bull Harami" : "Bear Harami"),
  piercing: () => "Piercing",
  darkCloudCover: () => "Dark Cloud",
  morningStar: () => "Morning Star",
  eveningStar: () => "Evening Star",
  threeWhiteSoldiers: () => "3 Soldiers",
  threeBlackCrows: () => "3 Crows",
};

export type ToggleId = IndicatorId | PatternGroupId;

/** What a new visitor sees: volume, SMA 20 and the pattern markers. */
export const DEFAULT_TOGGLES: Readonly<Record<ToggleId, boolean>> = {
  bb: false, sma20: true, sma50: false, sma100: false, sma200: false, ema12: false, ema26: false, ema50: false,
  vwap: false, volume: true, rsi: false, macd: false, stoch: false, patterns: true, doji: false,
};
