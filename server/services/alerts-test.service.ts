/**
 * "Test this rule against the last N bars": the rule replayed over the newest N stored candles of a symbol,
 * with the indicators computed over those same candles, exactly as `marketlens alerts test` does over a file
 * (server/cli/alerts-test.command.ts): same evaluator (`evaluateRule`), same line per firing
 * `{ openTime, close, <each metric the rule reads> }`. Indicators and patterns warm up inside the window (e.g.
 * sma200 needs 200 bars), as in the CLI. `qualityScore` is the stored score at each bar's close.
 */
import type pg from "pg";
import { replayRule, ruleSeriesFor, type RuleFiringLine } from "../domain/rules/rule-replay.ts";
import { ruleMetrics } from "../domain/rules/rule-metrics.ts";
import { TIMEFRAME_MS } from "../domain/time/timeframes.ts";
import { readCandles } from "../db/candles-read.repo.ts";
import { readQualityScoresAt } from "../db/quality.repo.ts";
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
  firings: RuleFiringLine[];
}

export async function testAlertRule(deps: { pool: pg.Pool }, input: { rule: unknown; symbol: string; lastN: number }): Promise<AlertTestResult> {
  const rule = parseRule(input.rule);
  await requireKnownSymbols(deps.pool, [input.symbol], { active: false });
  const bars = await readCandles(deps.pool, { symbol: input.symbol, timeframe: rule.timeframe, limit: input.lastN });
  // the quality score a live evaluation would have read: the stored score at each bar's close
  const quality = ruleMetrics(rule).includes("qualityScore")
    ? await readQualityScoresAt(deps.pool, input.symbol, bars.map((bar) => bar.openTime + TIMEFRAME_MS[rule.timeframe]))
    : undefined;
  const firings = replayRule(rule, bars, ruleSeriesFor(rule, bars, quality));
  return { symbol: input.symbol, timeframe: rule.timeframe, bars: bars.length, from: bars[0]?.openTime ?? null, to: bars.at(-1)?.openTime ?? null, firings };
}
