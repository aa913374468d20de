/**
 * BarBuilder configuration and input checks: the timeframe levels and their ring sizes, the validation of
 * 1m bars handed in from outside, and the minute arithmetic of closing. Pure. Edit with bar-builder.ts.
 */
import type { Bar } from "./bar.ts";
import type { BarLevel } from "./bar-symbol-state.ts";
import { TIMEFRAMES, TIMEFRAME_MS, isTimeframe } from "../time/timeframes.ts";
import type { Timeframe } from "../time/timeframes.ts";

const MINUTE = 60_000;

/**
 * Levels to build: 1m first (always, emitting only when requested), then the requested higher timeframes in
 * ascending order. Each ring holds retainMinutes of history plus the longest timeframe plus the lateness.
 * @example buildLevels(["1m", "5m"], 2880, 0).map((level) => level.timeframe) // ["1m", "5m"]
 */
export function buildLevels(timeframes: readonly Timeframe[], retainMinutes: number, latenessMs: number): BarLevel[] {
  for (const timeframe of timeframes) {
    if (!isTimeframe(timeframe)) throw new RangeError(`BarBuilder: unknown timeframe "${String(timeframe)}"`);
  }
  const higher = TIMEFRAMES.filter((timeframe) => timeframe !== "1m" && timeframes.includes(timeframe));
  const longest = Math.max(MINUTE, ...higher.map((timeframe) => TIMEFRAME_MS[timeframe]));
  const span = (retainMinutes + 4) * MINUTE + longest + Math.ceil(latenessMs / MINUTE) * MINUTE;
  const level = (timeframe: Timeframe, emit: boolean): BarLevel => {
    const size = TIMEFRAME_MS[timeframe];
    return { timeframe, size, capacity: Math.ceil(span / size) + 2, emit };
  };
  return [level("1m", timeframes.includes("1m")), ...higher.map((timeframe) => level(timeframe, true))];
}

/** Problem with a 1m bar handed to applyFinalMinute/seed, or null. */
export function minuteBarProblem(bar: Bar): string | null {
  if (bar.timeframe !== "1m") return `timeframe ${bar.timeframe} is not 1m`;
  if (!Number.isSafeInteger(bar.openTime) || bar.openTime % MINUTE !== 0) return `openTime ${bar.openTime} is not a UTC minute`;
  const { open, high, low, close, volume, trades } = bar;
  if (![open, high, low, close].every((price) => price > 0 && price < Number.POSITIVE_INFINITY)) return "prices must be finite and > 0";
  if (high < low || open > high || open < low || close > high || close < low) return "high/low do not bracket open/close";
  if (!(volume >= 0 && volume < Number.POSITIVE_INFINITY)) return "volume must be finite and >= 0";
  if (!Number.isSafeInteger(trades) || trades < 0) return "trades must be an integer >= 0";
  return null;
}

export function checkMinuteBar(bar: Bar, method: string): void {
  const problem = minuteBarProblem(bar);
  if (problem !== null) throw new RangeError(`BarBuilder.${method}: ${bar.symbol} ${bar.openTime}: ${problem}`);
}

/** Earliest minute that is still open at watermark `watermark`: m + 1 minute + lateness > watermark. */
export function firstOpenMinute(watermark: number, latenessMs: number): number {
  return Math.floor((watermark - latenessMs - MINUTE) / MINUTE) * MINUTE + MINUTE;
}
