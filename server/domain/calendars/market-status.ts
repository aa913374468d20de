/**
 * Market status of an exchange calendar at an instant (open or closed, why, the current session, the next
 * open) and the data delay of a source, for the chart's "Market closed · opens …" and "Delayed 15 min" labels
 * and the per-symbol block of /api/v1/health. Pure: the caller passes the instant; runs in the browser too.
 * Edit `DATA_DELAYS` when a source's delay changes (e.g. a paid real-time feed is configured).
 */
import type { CalendarId, ExchangeCalendar, HolidayEntry } from "./calendar-types.ts";
import { weekday } from "./civil-date.ts";
import { nextOpen, sessionOn } from "./sessions.ts";
import { localDate } from "./zoned-time.ts";

/**
 * Why the market is (not) trading: "session" while open; otherwise a weekend, a holiday, before the day's open,
 * after its (possibly early) close, or "no-calendar-data" when the holiday file does not cover the date.
 */
export type MarketReason = "session" | "weekend" | "holiday" | "before-open" | "after-close" | "no-calendar-data";

export interface MarketStatus {
  calendar: CalendarId;
  open: boolean;
  /** Trades around the clock (crypto): there is never a "closed" label to show. */
  continuous: boolean;
  /** The session in progress (UTC epoch ms, close exclusive), null while closed. */
  session: { open: number; close: number } | null;
  /** The next session open strictly after the instant; null when the holiday data does not reach it. */
  nextOpen: number | null;
  reason: MarketReason;
  /** The holiday or early-close entry of the exchange-local date, when there is one. */
  holiday: HolidayEntry | null;
  /** What went wrong with the calendar data (reason "no-calendar-data", or the next open beyond it). */
  problem: string | null;
}

/** Whether the calendar trades every minute of every day (CRYPTO). */
export function isContinuous(calendar: ExchangeCalendar): boolean {
  return calendar.weekdays.length === 7 && calendar.open === "00:00" && calendar.close === "24:00" && calendar.holidays.size === 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeNextOpen(calendar: ExchangeCalendar, timeMs: number): { nextOpen: number | null; problem: string | null } {
  try {
    return { nextOpen: nextOpen(calendar, timeMs), problem: null };
  } catch (error) {
    return { nextOpen: null, problem: messageOf(error) };
  }
}

/**
 * The market of `calendar` at `timeMs` (UTC epoch ms). Never throws: dates the holiday data does not cover give
 * `open: false`, reason "no-calendar-data" and the error in `problem` (extend config/holidays/*.yaml).
 * @example marketStatus(nyse, Date.UTC(2024, 6, 3, 18)) // { open: false, reason: "after-close", nextOpen: Date.UTC(2024, 6, 5, 13, 30), holiday: { name: "Day before Independence Day", earlyClose: "13:00", … }, … }
 * @example marketStatus(nyse, Date.UTC(2024, 2, 11, 13, 30)).session // { open: Date.UTC(2024, 2, 11, 13, 30), close: Date.UTC(2024, 2, 11, 20) } (first EDT Monday)
 */
export function marketStatus(calendar: ExchangeCalendar, timeMs: number): MarketStatus {
  const base = { calendar: calendar.id, continuous: isContinuous(calendar) };
  const date = localDate(calendar.timeZone, timeMs);
  const holiday = calendar.holidays.get(date) ?? null;
  let today;
  try {
    today = sessionOn(calendar, date);
  } catch (error) {
    return { ...base, open: false, session: null, nextOpen: null, reason: "no-calendar-data", holiday: null, problem: messageOf(error) };
  }
  const next = safeNextOpen(calendar, timeMs);
  if (today && today.open <= timeMs && timeMs < today.close) {
    return { ...base, open: true, session: { open: today.open, close: today.close }, ...next, reason: "session", holiday };
  }
  const reason: MarketReason = today
    ? timeMs < today.open
      ? "before-open"
      : "after-close"
    : calendar.weekdays.includes(weekday(date))
      ? "holiday"
      : "weekend";
  return { ...base, open: false, session: null, ...next, reason, holiday };
}

/** A known delay of a data source: quotes of `calendar` from `exchange` (the symbol's EXCHANGE prefix) arrive late. */
export interface DataDelay {
  exchange: string;
  calendar: CalendarId;
  minutes: number;
  note: string;
}

/**
 * Sources that deliver late data. The UI labels their symbols "Delayed N min". Add a line when a source is
 * delayed, remove it when the feed becomes real-time (e.g. a paid Yahoo/BIST subscription).
 */
export const DATA_DELAYS: readonly DataDelay[] = [
  { exchange: "YAHOO", calendar: "BIST", minutes: 15, note: "Yahoo Finance publishes Borsa Istanbul quotes 15 minutes late" },
];

/**
 * Minutes by which the data of symbols from `exchange` on `calendar` lag the market (0 = real time).
 * @example dataDelayMinutes("YAHOO", "BIST") // 15
 * @example dataDelayMinutes("ALPACA", "NYSE") // 0
 */
export function dataDelayMinutes(exchange: string, calendar: string): number {
  const upper = exchange.toUpperCase();
  return DATA_DELAYS.find((delay) => delay.exchange === upper && delay.calendar === calendar)?.minutes ?? 0;
}
