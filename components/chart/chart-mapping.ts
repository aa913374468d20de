/**
 * Pure mapping from domain bars to lightweight-charts shapes, and the time formatters for the
 * UTC/local switch. No DOM, no chart instance: unit tested in chart-mapping.test.ts.
 */
import type { CandlestickData, HistogramData, UTCTimestamp } from "lightweight-charts";
import type { Bar } from "../../server/domain/bars/bar.ts";

export type TimeZoneMode = "utc" | "local";

export const UP_COLOR = "#26a69a";
export const DOWN_COLOR = "#ef5350";
const UP_VOLUME_COLOR = "rgba(38, 166, 154, 0.45)";
const DOWN_VOLUME_COLOR = "rgba(239, 83, 80, 0.45)";

/**
 * Bar open time (epoch ms) → chart time (epoch seconds, what lightweight-charts calls UTCTimestamp).
 * @example toChartTime(1680307260000) // 1680307260
 */
export function toChartTime(openTimeMs: number): UTCTimestamp {
  return Math.floor(openTimeMs / 1000) as UTCTimestamp;
}

/** @example toCandle(bar) // { time: 1680307260, open, high, low, close } */
export function toCandle(bar: Bar): CandlestickData<UTCTimestamp> {
  return { time: toChartTime(bar.openTime), open: bar.open, high: bar.high, low: bar.low, close: bar.close };
}

/** Volume column coloured like its candle (close ≥ open is up). */
export function toVolume(bar: Bar): HistogramData<UTCTimestamp> {
  return { time: toChartTime(bar.openTime), value: bar.volume, color: bar.close >= bar.open ? UP_VOLUME_COLOR : DOWN_VOLUME_COLOR };
}

/** Both series' data for `setData`, ascending. */
export function toSeriesData(bars: readonly Bar[]): {
  candles: CandlestickData<UTCTimestamp>[];
  volumes: HistogramData<UTCTimestamp>[];
} {
  return { candles: bars.map(toCandle), volumes: bars.map(toVolume) };
}

/** lightweight-charts TickMarkType values (its enum cannot be imported in type-only code). */
export const TICK = { year: 0, month: 1, dayOfMonth: 2, time: 3, timeWithSeconds: 4 } as const;

function formatter(mode: TimeZoneMode, locale: string | undefined, options: Intl.DateTimeFormatOptions) {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: mode === "utc" ? "UTC" : undefined });
}

/**
 * Label of a time-axis tick in the chosen zone.
 * @example formatTickMark(1680307260, TICK.time, "utc", "en-GB") // "00:01"
 */
export function formatTickMark(timeSeconds: number, tickMarkType: number, mode: TimeZoneMode, locale?: string): string {
  const date = new Date(timeSeconds * 1000);
  switch (tickMarkType) {
    case TICK.year:
      return formatter(mode, locale, { year: "numeric" }).format(date);
    case TICK.month:
      return formatter(mode, locale, { month: "short" }).format(date);
    case TICK.dayOfMonth:
      return formatter(mode, locale, { day: "numeric", month: "short" }).format(date);
    case TICK.timeWithSeconds:
      return formatter(mode, locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(date);
    default:
      return formatter(mode, locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
  }
}

/**
 * Crosshair label: full date and time in the chosen zone, with "UTC" appended in UTC mode.
 * @example formatCrosshairTime(1680307260, "utc", "en-GB") // "1 Apr 2023, 00:01 UTC"
 */
export function formatCrosshairTime(timeSeconds: number, mode: TimeZoneMode, locale?: string): string {
  const text = formatter(mode, locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(timeSeconds * 1000));
  return mode === "utc" ? `${text} UTC` : text;
}

/** Compact price for the header: 2 decimals above 1, more below. */
export function formatPrice(price: number): string {
  const digits = Math.abs(price) >= 1 ? 2 : 6;
  return price.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
