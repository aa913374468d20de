/**
 * The ready-made alert conditions of the alerts UI (the parity plan's six, plus a candlestick pattern and a
 * data-quality floor), as functions returning rule documents (validated with parseRuleDocument, so a bad
 * threshold throws). Pure. Add a preset here and in README.md.
 */
import { PATTERNS, type PatternName } from "../patterns/pattern-registry.ts";
import type { Timeframe } from "../time/timeframes.ts";
import { parseRuleDocument } from "./rule-schema.ts";
import type { RuleCondition, RuleDocument } from "./rule-types.ts";

/** What every preset takes besides its threshold. */
export interface PresetOptions {
  timeframe: Timeframe;
  /** Default: a description such as "close > 65000". */
  name?: string;
  cooldownBars?: number;
  oneTime?: boolean;
}

function preset(condition: RuleCondition, defaultName: string, options: PresetOptions): RuleDocument {
  const document: RuleDocument = { name: options.name ?? defaultName, timeframe: options.timeframe, when: { all: [condition] } };
  if (options.cooldownBars !== undefined) document.cooldownBars = options.cooldownBars;
  if (options.oneTime !== undefined) document.oneTime = options.oneTime;
  return parseRuleDocument(document, `preset "${defaultName}"`);
}

/**
 * Fires when the close goes above `price` (and on the first bar if it already is).
 * @example priceAbove(65000, { timeframe: "1h" }).when // { all: [{ metric: "close", op: ">", value: 65000 }] }
 */
export function priceAbove(price: number, options: PresetOptions): RuleDocument {
  return preset({ metric: "close", op: ">", value: price }, `close > ${price}`, options);
}

/** Fires when the close goes below `price`. @example priceBelow(60000, { timeframe: "1h" }) */
export function priceBelow(price: number, options: PresetOptions): RuleDocument {
  return preset({ metric: "close", op: "<", value: price }, `close < ${price}`, options);
}

/** Fires when RSI(14) goes above `level`. @example rsiAbove(70, { timeframe: "4h" }) */
export function rsiAbove(level: number, options: PresetOptions): RuleDocument {
  return preset({ metric: "rsi14", op: ">", value: level }, `rsi14 > ${level}`, options);
}

/** Fires when RSI(14) goes below `level`. @example rsiBelow(30, { timeframe: "4h" }) */
export function rsiBelow(level: number, options: PresetOptions): RuleDocument {
  return preset({ metric: "rsi14", op: "<", value: level }, `rsi14 < ${level}`, options);
}

/** Fires on the bar where MACD(12,26,9) crosses above its signal line. @example macdBullishCrossover({ timeframe: "1d" }) */
export function macdBullishCrossover(options: PresetOptions): RuleDocument {
  return preset({ metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }, "MACD bullish crossover", options);
}

/** Fires on the bar where MACD(12,26,9) crosses below its signal line. @example macdBearishCrossover({ timeframe: "1d" }) */
export function macdBearishCrossover(options: PresetOptions): RuleDocument {
  return preset({ metric: "macd", op: "crosses_below", value: { metric: "macdSignal" } }, "MACD bearish crossover", options);
}

/**
 * Fires when the bar's volume reaches `multiple` × the mean volume of the previous 20 bars
 * (`relVolume20 >= multiple`; the rule language has no arithmetic, so not `volume >= multiple × volumeSma20`).
 * @example volumeSpike(3, { timeframe: "15m" }).when // { all: [{ metric: "relVolume20", op: ">=", value: 3 }] }
 */
export function volumeSpike(multiple: number, options: PresetOptions): RuleDocument {
  return preset({ metric: "relVolume20", op: ">=", value: multiple }, `volume ≥ ${multiple}× 20-bar average`, options);
}

/** Which way a pattern must point: TA-Lib's sign (+ bullish, − bearish), or either (present at all). */
export type PatternDirection = "bullish" | "bearish" | "any";
const DIRECTION_OPS = { bullish: ">", bearish: "<", any: "!=" } as const;

/**
 * Fires on the bar where the candlestick pattern appears (`engulfing > 0` for a bullish engulfing; `!= 0`: either
 * way). Non-directional patterns (doji, spinning top) are +100 when present, so use "any" (or "bullish") for them.
 * @example patternDetected("engulfing", "bearish", { timeframe: "1h" }).when // { all: [{ metric: "engulfing", op: "<", value: 0 }] }
 */
export function patternDetected(pattern: PatternName, direction: PatternDirection, options: PresetOptions): RuleDocument {
  const label = PATTERNS.find((definition) => definition.name === pattern)?.label(direction === "bearish" ? -100 : 100) ?? pattern;
  const name = direction === "any" ? `${label.replace(/^bullish /, "")} detected` : label.startsWith(direction) ? label : `${direction} ${label}`;
  return preset({ metric: pattern, op: DIRECTION_OPS[direction], value: 0 }, name, options);
}

/**
 * Fires when the symbol's data-quality score (0–100, the collector's quality gate) drops below `score`.
 * @example qualityBelow(80, { timeframe: "1m" }).when // { all: [{ metric: "qualityScore", op: "<", value: 80 }] }
 */
export function qualityBelow(score: number, options: PresetOptions): RuleDocument {
  return preset({ metric: "qualityScore", op: "<", value: score }, `data quality < ${score}`, options);
}
