/**
 * Types of the alert-rule language (the public rule document) and the metric names a condition may
 * read: the bar's OHLCV fields, every series of the indicator core, the candlestick patterns and the
 * symbol's data-quality score. Pure. Edit when a metric or an operator is added (also rule-schema.ts,
 * rule-evaluator.ts and README.md).
 */
import { INDICATOR_KEYS, SCANNER_KEYS } from "../indicators/indicator-types.ts";
import type { IndicatorValueKey } from "../indicators/indicator-types.ts";
import { PATTERN_NAMES, type PatternName } from "../patterns/pattern-registry.ts";
import type { Timeframe } from "../time/timeframes.ts";

/** The bar's own fields a condition may read. */
export const BAR_METRICS = ["open", "high", "low", "close", "volume"] as const;
export type BarMetric = (typeof BAR_METRICS)[number];

/**
 * Candlestick patterns on the bar: each pattern's TA-Lib integer (100 bullish or present, −100 bearish, 0 none;
 * no value before the pattern's lookback), and `patternCount`, how many patterns the bar shows.
 * "Bullish engulfing detected" is `{ "metric": "engulfing", "op": ">", "value": 0 }`.
 */
export const PATTERN_METRICS = [...PATTERN_NAMES, "patternCount"] as const;
export type PatternMetric = PatternName | "patternCount";

/** The symbol's data-quality score, 0–100, as the collector's quality gate keeps it (server/domain/quality). */
export const QUALITY_METRICS = ["qualityScore"] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/**
 * Every metric name: bar fields, the indicator series (as `marketlens indicators` names them), the scanner
 * helpers, the candlestick patterns, the quality score. Append only: the order is the scanner's column order.
 */
export const RULE_METRICS = [...BAR_METRICS, ...INDICATOR_KEYS, ...SCANNER_KEYS, ...PATTERN_METRICS, ...QUALITY_METRICS] as const;
export type RuleMetric = BarMetric | IndicatorValueKey | PatternMetric | QualityMetric;

/** Metrics with one value per bar computed from the bars (everything but the bar fields and the quality score). */
export type SeriesMetric = Exclude<RuleMetric, BarMetric | QualityMetric>;

export const RULE_OPERATORS = [">", "<", ">=", "<=", "==", "!=", "crosses_above", "crosses_below"] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

/** The right-hand side of a condition: a constant or another metric on the same bar. */
export type RuleValue = number | { metric: RuleMetric };

/** `metric op value`, e.g. `{ metric: "rsi14", op: "crosses_below", value: 30 }`. */
export interface RuleCondition {
  metric: RuleMetric;
  op: RuleOperator;
  value: RuleValue;
}

/** Every child true (`all`) or at least one (`any`); never empty. */
export type RuleGroup = { all: RuleNode[] } | { any: RuleNode[] };
export type RuleNode = RuleCondition | RuleGroup;

/** One alert rule, as stored and as written in a RULE.json file. */
export interface RuleDocument {
  name: string;
  timeframe: Timeframe;
  when: RuleGroup;
  /** Bars to wait after a firing before the next one may fire (a firing on bar i blocks bars i+1 … i+cooldownBars). Default 0. */
  cooldownBars?: number;
  /** Stop after the first firing. Default false. */
  oneTime?: boolean;
}

/**
 * The values of one closed bar, by metric name. A missing, `null` or NaN entry means "no value yet"
 * (indicator warm-up): every condition that reads it is false. `{ ...bar, ...indicatorValues }` fits;
 * `patternRuleValues` (rule-values.ts) adds the pattern metrics.
 */
export type RuleBarValues = { readonly [K in RuleMetric]?: number | null };

export function isRuleCondition(node: RuleNode): node is RuleCondition {
  return "metric" in node;
}
