/**
 * Pure text and timing of the chart's market labels: "Market closed · opens Mon 23 Nov 14:30 UTC",
 * "Market open · closes 21:00 UTC", "Delayed 15 min", and the bar-close countdown. The market status itself
 * comes from server/domain/calendars (recomputed in the browser from the calendar `markets.symbol` sent once).
 * No DOM, no clock: unit tested in market-labels.test.ts.
 */
import type { CalendarId, ExchangeCalendar, HolidayData } from "../../server/domain/calendars/calendar-types.ts";
import { createExchangeCalendar } from "../../server/domain/calendars/exchange-calendar.ts";
import type { MarketStatus } from "../../server/domain/calendars/market-status.ts";
import { alignTime, TIMEFRAME_MS, type Timeframe } from "../../server/domain/time/timeframes.ts";
import type { TimeZoneMode } from "./chart-mapping.ts";

/** The calendar the server named, with the holidays it sent (null for CRYPTO). */
export function calendarFromInfo(calendar: CalendarId, holidays: HolidayData | null): ExchangeCalendar {
  return createExchangeCalendar(calendar, holidays ?? undefined);
}

function parts(timeMs: number, mode: TimeZoneMode, options: Intl.DateTimeFormatOptions, locale: string | undefined): Record<string, string> {
  const format = new Intl.DateTimeFormat(locale ?? "en-GB", {
    ...options,
    hourCycle: "h23",
    timeZone: mode === "utc" ? "UTC" : undefined,
    timeZoneName: mode === "utc" ? undefined : "short",
  });
  const result: Record<string, string> = {};
  for (const part of format.formatToParts(timeMs)) result[part.type] = part.value;
  return result;
}

function zoneSuffix(mode: TimeZoneMode, zoneName: string | undefined): string {
  if (mode === "utc") return " UTC";
  return zoneName ? ` ${zoneName}` : "";
}

/**
 * Weekday, date and time of an instant in the page's zone mode.
 * @example formatMarketTime(Date.UTC(2026, 10, 23, 14, 30), "utc") // "Mon 23 Nov 14:30 UTC"
 */
export function formatMarketTime(timeMs: number, mode: TimeZoneMode, locale?: string): string {
  const p = parts(timeMs, mode, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }, locale);
  return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute}${zoneSuffix(mode, p.timeZoneName)}`;
}

/**
 * Time of day only (for a close later today).
 * @example formatMarketClock(Date.UTC(2026, 10, 23, 21), "utc") // "21:00 UTC"
 */
export function formatMarketClock(timeMs: number, mode: TimeZoneMode, locale?: string): string {
  const p = parts(timeMs, mode, { hour: "2-digit", minute: "2-digit" }, locale);
  return `${p.hour}:${p.minute}${zoneSuffix(mode, p.timeZoneName)}`;
}

export interface MarketLabel {
  /** "hidden" for markets that never close (crypto): nothing to say. */
  kind: "open" | "closed" | "hidden";
  text: string;
  /** Tooltip: the reason and the holiday, when there is one. */
  title: string;
}

const REASONS: Record<MarketStatus["reason"], string> = {
  session: "regular session",
  weekend: "weekend",
  holiday: "exchange holiday",
  "before-open": "before the open",
  "after-close": "after the close",
  "no-calendar-data": "the holiday data does not cover today",
};

/**
 * The label next to the symbol for a market status.
 * @example marketLabel({ open: false, nextOpen: Date.UTC(2026, 10, 23, 14, 30), reason: "weekend", … }, "utc").text // "Market closed · opens Mon 23 Nov 14:30 UTC"
 */
export function marketLabel(status: MarketStatus, mode: TimeZoneMode, locale?: string): MarketLabel {
  if (status.continuous) return { kind: "hidden", text: "", title: "" };
  const reason = status.holiday ? `${REASONS[status.reason]}: ${status.holiday.name}` : REASONS[status.reason];
  const title = [`${status.calendar} ${reason}`, status.problem].filter(Boolean).join("\n");
  if (status.open && status.session) {
    return { kind: "open", text: `Market open · closes ${formatMarketClock(status.session.close, mode, locale)}`, title };
  }
  const next = status.nextOpen === null ? "next open unknown" : `opens ${formatMarketTime(status.nextOpen, mode, locale)}`;
  return { kind: "closed", text: `Market closed · ${next}`, title };
}

/**
 * "Delayed 15 min" for a delayed source, null for real-time data.
 * @example delayLabel(15) // "Delayed 15 min"
 */
export function delayLabel(minutes: number): string | null {
  return minutes > 0 ? `Delayed ${minutes} min` : null;
}

/**
 * When the bar in progress closes: the end of its UTC-aligned slot, or the session close if that comes first
 * (the last NYSE hour bar of a session, stock daily bars). Null when there is no session (market closed).
 * @example barCloseTime(Date.UTC(2024, 2, 11, 19, 30, 10), "1h", { open: Date.UTC(2024, 2, 11, 13, 30), close: Date.UTC(2024, 2, 11, 20) }) // Date.UTC(2024, 2, 11, 20)
 */
export function barCloseTime(nowMs: number, timeframe: Timeframe, session: { open: number; close: number } | null): number | null {
  if (!session || nowMs < session.open || nowMs >= session.close) return null;
  return Math.min(alignTime(nowMs, timeframe) + TIMEFRAME_MS[timeframe], session.close);
}

/**
 * Remaining time as m:ss, or h:mm:ss from an hour up (rounded up to the second, never negative).
 * @example formatCountdown(42_000) // "0:42"
 * @example formatCountdown(3_725_000) // "1:02:05"
 */
export function formatCountdown(remainingMs: number): string {
  const total = Math.max(0, Math.ceil(remainingMs / 1000));
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}
