/**
 * `marketlens alerts test --rule RULE.json --candles FILE`: replays an alert rule over a candles file (CSV or
 * JSON rows, as for `marketlens indicators`) and prints one NDJSON line per bar on which it would fire:
 * `{"openTime": ms, "close": …, <each metric the rule reads>: value}` (indicators, candlestick patterns). The rule's timeframe is not checked
 * against the file: its bars are taken as given. A bad rule throws an Error naming the file and the path at
 * fault. Wired into commander by server/cli/main.ts.
 */
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { replayRule, ruleSeriesFor } from "../domain/rules/rule-replay.ts";
import { ruleMetrics } from "../domain/rules/rule-metrics.ts";
import { parseRuleDocument } from "../domain/rules/rule-schema.ts";
import type { RuleDocument } from "../domain/rules/rule-types.ts";
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

async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (!output.write(text)) await once(output, "drain");
}

/**
 * Runs `marketlens alerts test`. Throws an Error naming the file on a bad rule or bad candles. A file has no
 * data-quality history, so a condition on `qualityScore` is false here (said once on `warn`).
 */
export async function runAlertsTestCommand(options: AlertsTestCommandOptions, output: NodeJS.WritableStream, warn: (message: string) => void = () => undefined): Promise<void> {
  const rule = await readRuleFile(options.rule);
  const bars = await readCandlesFile(options.candles);
  if (ruleMetrics(rule).includes("qualityScore")) warn(`${options.rule}: qualityScore has no value for a candles file (it is the collector's live score), so conditions on it are false`);
  for (const line of replayRule(rule, bars, ruleSeriesFor(rule, bars))) await write(output, `${JSON.stringify(line)}\n`);
}
