/**
 * `marketlens indicators --candles FILE [--mode batch|stream]`: prints ONE JSON object whose keys are the 24
 * TA-Lib-comparable series (INDICATOR_KEYS, in that order), each an array with one value per input candle,
 * `null` during the warm-up. `stream` runs the streaming core bar by bar, previewing each bar while it is
 * "open" (twice, with partial values) before closing it: the output is identical to `batch`.
 * Wired into commander by server/cli/main.ts.
 */
import { once } from "node:events";
import { computeIndicators } from "../domain/indicators/indicator-batch.ts";
import { IndicatorEngine } from "../domain/indicators/indicator-engine.ts";
import type { IndicatorKey, OhlcvBar, SessionKeyFn } from "../domain/indicators/indicator-types.ts";
import { INDICATOR_KEYS } from "../domain/indicators/indicator-types.ts";
import { nyseSessionKey, utcDateSessionKey } from "../domain/indicators/session-keys.ts";
import { readCandlesFile } from "./candles-file.ts";

export interface IndicatorsCommandOptions {
  candles: string;
  mode: "batch" | "stream";
  /** VWAP sessions: "utc" (UTC date, crypto; default) or "nyse" (New York date). */
  session?: "utc" | "nyse";
}

export type IndicatorsOutput = Record<IndicatorKey, (number | null)[]>;

const SESSIONS: Record<NonNullable<IndicatorsCommandOptions["session"]>, SessionKeyFn> = { utc: utcDateSessionKey, nyse: nyseSessionKey };

/** The open bar part-way through: at its open, then at its close with half its volume and range so far. */
function partialBars(bar: OhlcvBar): OhlcvBar[] {
  const { open, close } = bar;
  return [
    { ...bar, high: open, low: open, close: open, volume: 0 },
    { ...bar, high: Math.max(open, close), low: Math.min(open, close), volume: bar.volume / 2 },
  ];
}

/** The series through the streaming engine: previews of the open bar, then the closed bar. */
export function streamIndicators(bars: readonly OhlcvBar[], sessionKey?: SessionKeyFn): IndicatorsOutput {
  const engine = new IndicatorEngine({ sessionKey });
  const output = Object.fromEntries(INDICATOR_KEYS.map((key) => [key, [] as (number | null)[]])) as IndicatorsOutput;
  for (const bar of bars) {
    for (const partial of partialBars(bar)) engine.preview(partial);
    const values = engine.push(bar);
    for (const key of INDICATOR_KEYS) output[key].push(values[key]);
  }
  return output;
}

/** The series in one batch (the same core in a loop). */
export function batchIndicators(bars: readonly OhlcvBar[], sessionKey?: SessionKeyFn): IndicatorsOutput {
  const series = computeIndicators(bars, { sessionKey });
  return Object.fromEntries(INDICATOR_KEYS.map((key) => [key, series[key]])) as IndicatorsOutput;
}

async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (!output.write(text)) await once(output, "drain");
}

/**
 * Runs `marketlens indicators`. Throws an Error naming the file and line on bad input (see candles-file.ts),
 * or on an unknown mode.
 */
export async function runIndicatorsCommand(options: IndicatorsCommandOptions, output: NodeJS.WritableStream): Promise<void> {
  if (options.mode !== "batch" && options.mode !== "stream") throw new Error(`indicators: unknown --mode "${String(options.mode)}" (batch or stream)`);
  const session = options.session ?? "utc";
  const sessionKey = SESSIONS[session];
  if (!sessionKey) throw new Error(`indicators: unknown --session "${String(session)}" (utc or nyse)`);
  const bars = await readCandlesFile(options.candles);
  const series = options.mode === "stream" ? streamIndicators(bars, sessionKey) : batchIndicators(bars, sessionKey);
  // one key per write: the object is printed as one JSON document without building one giant string
  for (const [index, key] of INDICATOR_KEYS.entries()) {
    await write(output, `${index === 0 ? "{" : ","}${JSON.stringify(key)}:${JSON.stringify(series[key])}`);
  }
  await write(output, "}\n");
}
