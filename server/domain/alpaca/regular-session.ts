/**
 * Regular-session filter for US stock minutes. Alpaca streams and serves pre-market (04:00–09:30 New York) and
 * after-hours (16:00–20:00) minutes too; Marketlens keeps only regular-session minutes, so a stock's 5m…1d bars
 * are the session's bars and the daily bar matches the exchange's official open/close session.
 * Daily alignment: a NYSE session (09:30–16:00 New York = 13:30–20:00Z in EDT, 14:30–21:00Z in EST) lies inside
 * one UTC date, equal to its New York date, so the builder's UTC-midnight 1d bucket is exactly 00:00 UTC of the
 * exchange-local session date. `dailyOpenTime` states this and the tests check it across the DST switches.
 * Pure: the caller passes every instant. Per-minute answers are cached (session boundaries are whole minutes).
 */
import type { ExchangeCalendar } from "../calendars/calendar-types.ts";
import { sessionFor } from "../calendars/sessions.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const CACHE_LIMIT = 20_000;

export class RegularSessionFilter {
  private readonly cache = new Map<number, boolean>();

  constructor(readonly calendar: ExchangeCalendar) {}

  /**
   * Whether the minute starting at `openTime` (any instant inside it works) lies in a regular session.
   * Throws for dates the calendar's holiday data does not cover.
   * @example filter.containsMinute(Date.UTC(2024, 2, 11, 13, 30)) // true (09:30 EDT); 13:29 → false (pre-market)
   */
  containsMinute(time: number): boolean {
    const minute = Math.floor(time / MINUTE) * MINUTE;
    const cached = this.cache.get(minute);
    if (cached !== undefined) return cached;
    const inside = sessionFor(this.calendar, minute) !== null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(minute, inside);
    return inside;
  }

  /**
   * The open time of the daily bar of the session containing `time`: 00:00 UTC of the exchange-local session
   * date; null outside a session.
   * @example filter.dailyOpenTime(Date.UTC(2024, 10, 4, 20, 59)) // Date.UTC(2024, 10, 4) (15:59 EST)
   */
  dailyOpenTime(time: number): number | null {
    const session = sessionFor(this.calendar, time);
    return session ? Date.parse(`${session.date}T00:00:00Z`) : null;
  }
}

/**
 * Whether every session of the calendar in the list lies inside the UTC date equal to its local date, i.e. UTC-day
 * bucketing gives each session its own daily bar stamped 00:00 UTC of the session date.
 * @example sessionsFitUtcDays([{ date: "2024-03-11", open: Date.UTC(2024, 2, 11, 13, 30), close: Date.UTC(2024, 2, 11, 20) }]) // true
 */
export function sessionsFitUtcDays(sessions: readonly { date: string; open: number; close: number }[]): boolean {
  return sessions.every((session) => {
    const day = Date.parse(`${session.date}T00:00:00Z`);
    return session.open >= day && session.close <= day + DAY;
  });
}
