/**
 * Small builders shared by the scanner's unit tests (and the benchmark): bars and analytics events.
 */
import type { Bar } from "../bars/bar.ts";
import type { IndicatorValueKey } from "../indicators/indicator-types.ts";
import type { Timeframe } from "../time/timeframes.ts";
import type { ScannerAnalyticsInput } from "./scanner-state.ts";

/** 2026-11-20T00:00:00Z, a UTC day start. */
export const DAY = Date.UTC(2026, 10, 20);
export const MINUTE = 60_000;

/** A bar with open = high = low = close unless given. */
export function makeBar(symbol: string, timeframe: Timeframe, openTime: number, close: number, extra: Partial<Bar> = {}): Bar {
  return { symbol, timeframe, openTime, open: close, high: close, low: close, close, volume: 1, trades: 1, source: "trades", ...extra };
}

export function makeAnalytics(
  symbol: string,
  timeframe: Timeframe,
  openTime: number,
  indicators: Partial<Record<IndicatorValueKey, number | null>>,
): ScannerAnalyticsInput {
  return { symbol, timeframe, openTime, indicators };
}
