/**
 * "Test this rule against the last N bars": the rule replayed over the newest N stored candles of a symbol,
 * with the indicators computed over those same candles, exactly as `marketlens alerts test` does over a file
 * (server/cli/alerts-test.command.ts): same evaluator (`evaluateRule`), same line per firing
 * `{ openTime, close, <each metric the rule reads> }`. Indicators warm up inside the window (e.g. sma200 needs
 * 200 bars), as in the CLI.
 */
import type pg from "pg";
import { computeIndicators } from "../domain/indicators/indicator-batch.ts";
import type { IndicatorValueKey } from "../domain/indicators/indicator-types.ts";
import { evaluateRule } from "../domain/rules/rule-evaluator.ts";
import { ruleMetrics } from "../domain/rules/rule-metrics.ts";
import { BAR_METRICS, type RuleMetric } from "../domain/rules/rule-types.ts";
import { readCandles } from "../db/candles-read.repo.ts";
import { parseRule } from "./alerts.service.ts";
import { requireKnownSymbols } from "./alerts-symbols.ts";

export interface AlertTestResult {
  symbol: string;
  timeframe: string;
  /** Bars evaluated (≤ lastN: fewer when the symbol has less history). */
  bars: number;
  /** Open times of the first and last bar evaluated (null without bars). */
  from: number | null;
  to: number | null;
  /** One entry per bar on which the rule would have fired, oldest first (the CLI's NDJSON lines). */
  firings: Record<string, number | null>[];
}

const isBarMetric = (metric: RuleMetric): metric is (typeof BAR_METRICS)[number] => (BAR_METRICS as readonly string[]).includes(metric);

export async function testAlertRule(deps: { pool: pg.Pool }, input: { rule: unknown; symbol: string; lastN: number }): Promise<AlertTestResult> {
  const rule = parseRule(input.rule);
  await requireKnownSymbols(deps.pool, [input.symbol], { active: false });
  const bars = await readCandles(deps.pool, { symbol: input.symbol, timeframe: rule.timeframe, limit: input.lastN });
  const series = computeIndicators(bars);
  const fields = ["close" as RuleMetric, ...ruleMetrics(rule).filter((metric) => metric !== "close")];
  const firings = evaluateRule(rule, bars, series).map((index) => {
    const bar = bars[index]!;
    const line: Record<string, number | null> = { openTime: bar.openTime };
    for (const metric of fields) line[metric] = isBarMetric(metric) ? bar[metric] : (series[metric as IndicatorValueKey][index] ?? null);
    return line;
  });
  return { symbol: input.symbol, timeframe: rule.timeframe, bars: bars.length, from: bars[0]?.openTime ?? null, to: bars.at(-1)?.openTime ?? null, firings };
}
