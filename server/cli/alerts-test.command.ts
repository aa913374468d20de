/**
 * `marketlens alerts test --rule RULE.json --candles FILE`: replays an alert rule over a candles file (CSV or
 * JSON rows, as for `marketlens indicators`) and prints one NDJSON line per bar on which it would fire:
 * `{"openTime": ms, "close": …, <each metric the rule reads>: value}`. The rule's timeframe is not checked
 * against the file: its bars are taken as given. A bad rule throws an Error naming the file and the path at
 * fault. Wired into commander by server/cli/main.ts.
 */
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { computeIndicators } from "../domain/indicators/indicator-batch.ts";
import type { IndicatorValueKey } from "../domain/indicators/indicator-types.ts";
import { evaluateRule } from "../domain/rules/rule-evaluator.ts";
import { ruleMetrics } from "../domain/rules/rule-metrics.ts";
import { parseRuleDocument } from "../domain/rules/rule-schema.ts";
import type { RuleDocument, RuleMetric } from "../domain/rules/rule-types.ts";
import { BAR_METRICS } from "../domain/rules/rule-types.ts";
import { readCandlesFile } from "./candles-file.ts";

export interface AlertsTestCommandOptions {
  rule: string;
  candles: string;
}

/** Reads and validates a rule file; errors read `FILE: path: problem`. */
export async function readRuleFile(path: string): Promise<RuleDocument> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot read rule file (${error.code === "ENOENT" ? "no such file" : error.message})`);
  });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseRuleDocument(document, path);
}

const isBarMetric = (metric: RuleMetric): metric is (typeof BAR_METRICS)[number] => (BAR_METRICS as readonly string[]).includes(metric);

async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (!output.write(text)) await once(output, "drain");
}

/** Runs `marketlens alerts test`. Throws an Error naming the file on a bad rule or bad candles. */
export async function runAlertsTestCommand(options: AlertsTestCommandOptions, output: NodeJS.WritableStream): Promise<void> {
  const rule = await readRuleFile(options.rule);
  const bars = await readCandlesFile(options.candles);
  const series = computeIndicators(bars);
  const fields = ["close" as RuleMetric, ...ruleMetrics(rule).filter((metric) => metric !== "close")];
  for (const index of evaluateRule(rule, bars, series)) {
    const bar = bars[index];
    if (!bar) continue;
    const line: Record<string, number | null> = { openTime: bar.openTime };
    for (const metric of fields) line[metric] = isBarMetric(metric) ? bar[metric] : (series[metric as IndicatorValueKey][index] ?? null);
    await write(output, `${JSON.stringify(line)}\n`);
  }
}
