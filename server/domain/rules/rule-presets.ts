/**
 * The six ready-made alert conditions of the alerts UI, as functions returning rule documents (validated
 * with parseRuleDocument, so a bad threshold throws). Pure. Add a preset here and in README.md.
 */
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
