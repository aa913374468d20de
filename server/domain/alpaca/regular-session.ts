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
import { addDays } from "../calendars/civil-date.ts";
import { sessionFor, sessionOn, sessionsBetween } from "../calendars/sessions.ts";
import { localDate } from "../calendars/zoned-time.ts";

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

/**
 * Where to start fetching so that about `minutes` regular-session minutes before `now` are covered: 00:00 UTC of the
 * earliest session needed (sessions counted back from `now`, at most 60 calendar days, and never past the dates
 * the holiday data covers).
 * @example sessionMinutesBack(nyse, Date.UTC(2024, 2, 9, 12), 390) // Date.UTC(2024, 2, 8): Friday's full session
 */
export function sessionMinutesBack(calendar: ExchangeCalendar, now: number, minutes: number): number {
  let date = localDate(calendar.timeZone, now);
  let start = Date.parse(`${date}T00:00:00Z`);
  let covered = 0;
  for (let day = 0; day < 60 && covered < minutes; day += 1, date = addDays(date, -1)) {
    let session;
    try {
      session = sessionOn(calendar, date);
    } catch {
      break; // before the holiday data: stop where the calendar is known
    }
    if (!session || session.open >= now) continue;
    covered += (Math.min(session.close, now) - session.open) / MINUTE;
    start = Date.parse(`${date}T00:00:00Z`);
  }
  return start;
}

/**
 * The closed stretches (between a session's close and the next open) overlapping [from, to), as [start, end) pairs:
 * the collector declares them holes so the bar builder never fills nights and weekends with zero-volume minutes.
 * @example closedStretches(nyse, Date.UTC(2024, 2, 8, 20), Date.UTC(2024, 2, 11, 15)) // [[Date.UTC(2024, 2, 8, 21), Date.UTC(2024, 2, 11, 13, 30)]]
 */
export function closedStretches(calendar: ExchangeCalendar, from: number, to: number): [number, number][] {
  const sessions = sessionsBetween(calendar, addDays(localDate(calendar.timeZone, from), -7), addDays(localDate(calendar.timeZone, to), 8));
  const stretches: [number, number][] = [];
  for (let index = 0; index + 1 < sessions.length; index += 1) {
    const start = sessions[index]!.close;
    const end = sessions[index + 1]!.open;
    if (end > from && start < to) stretches.push([start, end]);
  }
  return stretches;
}
