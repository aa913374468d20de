/**
 * Pattern metrics of the rule language from the pattern engine's output: each pattern's TA-Lib integer and
 * `patternCount` (how many patterns the bar shows). Two inputs: the engine's full `PatternValues` (null before a
 * pattern's lookback) and the stored form, the list of patterns present on the bar (an absent pattern is 0).
 * Pure. Used by the alert engine, the "test this rule" service, the CLI and the scanner.
 */
import type { PatternSeries } from "../patterns/pattern-engine.ts";
import { PATTERN_NAMES, type PatternValues } from "../patterns/pattern-registry.ts";
import type { PatternMetric } from "./rule-types.ts";

export type PatternRuleValues = Record<PatternMetric, number | null>;

/** How many of `values` are non-zero; null when none has a value yet (the bar is before every lookback). */
function countPresent(values: readonly (number | null | undefined)[]): number | null {
  let count = 0;
  let known = false;
  for (const value of values) {
    if (value === null || value === undefined || Number.isNaN(value)) continue;
    known = true;
    if (value !== 0) count++;
  }
  return known ? count : null;
}

/**
 * From the pattern engine (`PatternEngine.push/preview`); null (no analysis) gives no value for any pattern.
 * @example patternRuleValues(engine.push(bar)) // { doji: 0, …, engulfing: 100, …, patternCount: 1 }
 */
export function patternRuleValues(values: Readonly<Partial<PatternValues>> | null): PatternRuleValues {
  const out = {} as PatternRuleValues;
  for (const name of PATTERN_NAMES) out[name] = values?.[name] ?? null;
  out.patternCount = countPresent(PATTERN_NAMES.map((name) => out[name]));
  return out;
}

/**
 * From the stored list of patterns present on a bar (indicators.patterns / pattern_values, or an analytics
 * event): every listed pattern has its value, every other one 0.
 * @example presentPatternRuleValues([{ name: "hammer", value: 100 }]).hammer // 100
 */
export function presentPatternRuleValues(present: readonly { name: string; value: number }[]): PatternRuleValues {
  const out = {} as PatternRuleValues;
  for (const name of PATTERN_NAMES) out[name] = 0;
  let count = 0;
  for (const { name, value } of present) {
    if (!(name in out) || name === "patternCount") continue;
    out[name as keyof PatternValues] = value;
    if (value !== 0) count++;
  }
  out.patternCount = count;
  return out;
}

/** The pattern series of `detectPatterns(bars)` plus the `patternCount` series. */
export function patternRuleSeries(series: PatternSeries): Record<PatternMetric, (number | null)[]> {
  const length = series[PATTERN_NAMES[0]].length;
  const patternCount: (number | null)[] = new Array(length);
  for (let index = 0; index < length; index++) patternCount[index] = countPresent(PATTERN_NAMES.map((name) => series[name][index]));
  return { ...series, patternCount };
}
