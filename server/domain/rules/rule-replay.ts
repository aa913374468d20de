/**
 * "When would this rule have fired on these bars?": the series a rule reads, computed over the bars (indicators
 * and patterns only when the rule reads them), and one line per firing `{ openTime, close, <each metric the
 * rule reads> }`. Shared by `marketlens alerts test` (a candles file) and the alerts page's "test on the last N
 * bars" (stored candles), so both print the same thing. Pure.
 */
import { computeIndicators } from "../indicators/indicator-batch.ts";
import type { OhlcvBar } from "../indicators/indicator-types.ts";
import { INDICATOR_KEYS, SCANNER_KEYS } from "../indicators/indicator-types.ts";
import { detectPatterns } from "../patterns/pattern-engine.ts";
import { evaluateRule, type RuleSeries } from "./rule-evaluator.ts";
import { ruleMetrics } from "./rule-metrics.ts";
import { BAR_METRICS, PATTERN_METRICS, type RuleDocument, type RuleMetric } from "./rule-types.ts";
import { patternRuleSeries } from "./rule-values.ts";

/** One firing: the bar's open time, its close and every metric the rule reads (null = no value). */
export type RuleFiringLine = { openTime: number } & Record<string, number | null>;

const BAR_SET: ReadonlySet<string> = new Set(BAR_METRICS);
const INDICATOR_SET: ReadonlySet<string> = new Set([...INDICATOR_KEYS, ...SCANNER_KEYS]);
const PATTERN_SET: ReadonlySet<string> = new Set(PATTERN_METRICS);

/**
 * The series `rule` reads over `bars`. `qualityScore`: the symbol's quality score at each bar's close, when
 * known (omit it and conditions on `qualityScore` are false).
 */
export function ruleSeriesFor(rule: Pick<RuleDocument, "when">, bars: readonly OhlcvBar[], qualityScore?: readonly (number | null)[]): RuleSeries {
  const metrics = ruleMetrics(rule);
  let series: RuleSeries = {};
  if (metrics.some((metric) => INDICATOR_SET.has(metric))) series = { ...series, ...computeIndicators(bars) };
  if (metrics.some((metric) => PATTERN_SET.has(metric))) series = { ...series, ...patternRuleSeries(detectPatterns(bars)) };
  if (qualityScore) series = { ...series, qualityScore };
  return series;
}

/**
 * The bars on which `rule` fires, as lines.
 * @example replayRule(rule, bars, ruleSeriesFor(rule, bars)) // [{ openTime: 1680307200000, close: 28463.2, rsi14: 29.4 }, …]
 */
export function replayRule(rule: RuleDocument, bars: readonly OhlcvBar[], series: RuleSeries): RuleFiringLine[] {
  const fields: RuleMetric[] = ["close", ...ruleMetrics(rule).filter((metric) => metric !== "close")];
  return evaluateRule(rule, bars, series).map((index) => {
    const bar = bars[index] as OhlcvBar;
    const line: RuleFiringLine = { openTime: bar.openTime };
    for (const metric of fields) {
      line[metric] = BAR_SET.has(metric) ? bar[metric as (typeof BAR_METRICS)[number]] : (series[metric as keyof RuleSeries]?.[index] ?? null);
    }
    return line;
  });
}
