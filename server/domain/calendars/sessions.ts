/**
 * Trading sessions of an exchange calendar: the sessions in a date range, whether the market is open at an
 * instant, the next open, the session containing an instant, and the trading date for daily-bar alignment.
 * Pure: the caller passes every instant (UTC epoch ms); no clock, no I/O.
 */
import type { CivilDate, ExchangeCalendar, Session } from "./calendar-types.ts";
import { addDays, isCivilDate, parseWallClock, weekday } from "./civil-date.ts";
import { localDate, zonedWallClockToUtc } from "./zoned-time.ts";

/** Longest run of closed days `nextOpen` looks through before giving up (a long bridged holiday is ~9). */
const MAX_CLOSED_DAYS = 31;

function checkCovered(calendar: ExchangeCalendar, date: CivilDate): void {
  const covers = calendar.covers;
  if (covers && (date < covers.from || date > covers.to)) {
    throw new Error(`${calendar.id}: holiday data covers ${covers.from}..${covers.to}, not ${date}; extend config/holidays/${calendar.id === "NASDAQ" ? "nyse" : calendar.id.toLowerCase()}.yaml`);
  }
}

function minutesOf(time: string): number {
  const minutes = parseWallClock(time);
  if (minutes === null) throw new Error(`invalid wall-clock time "${time}"`);
  return minutes;
}

/**
 * The session on the exchange-local date `date`, or null on a weekend or holiday. Throws outside the dates the
 * holiday data covers.
 * @example sessionOn(nyse, "2024-07-03") // { date: "2024-07-03", open: Date.UTC(2024, 6, 3, 13, 30), close: Date.UTC(2024, 6, 3, 17, 0) }
 */
export function sessionOn(calendar: ExchangeCalendar, date: CivilDate): Session | null {
  checkCovered(calendar, date);
  if (!calendar.weekdays.includes(weekday(date))) return null;
  const holiday = calendar.holidays.get(date);
  if (holiday?.closed) return null;
  const closeTime = holiday ? holiday.earlyClose : calendar.close;
  return {
    date,
    open: zonedWallClockToUtc(calendar.timeZone, date, minutesOf(calendar.open)),
    close: zonedWallClockToUtc(calendar.timeZone, date, minutesOf(closeTime)),
  };
}

/**
 * Every session with a local date in [from, to): `from` inclusive, `to` exclusive, in date order.
 * @example sessionsBetween(nyse, "2024-03-08", "2024-03-12").map((session) => session.date) // ["2024-03-08", "2024-03-11"]
 */
export function sessionsBetween(calendar: ExchangeCalendar, fromDateInclusive: CivilDate, toDateExclusive: CivilDate): Session[] {
  for (const date of [fromDateInclusive, toDateExclusive]) {
    if (!isCivilDate(date)) throw new Error(`invalid date "${date}" (expected a real date YYYY-MM-DD)`);
  }
  if (toDateExclusive < fromDateInclusive) throw new Error(`the range ends (${toDateExclusive}) before it starts (${fromDateInclusive})`);
  const sessions: Session[] = [];
  for (let date = fromDateInclusive; date < toDateExclusive; date = addDays(date, 1)) {
    const session = sessionOn(calendar, date);
    if (session) sessions.push(session);
  }
  return sessions;
}

/**
 * The session containing the instant (open inclusive, close exclusive), or null when the market is closed.
 * @example sessionFor(nyse, Date.UTC(2024, 2, 11, 13, 30))?.date // "2024-03-11"
 */
export function sessionFor(calendar: ExchangeCalendar, timeMs: number): Session | null {
  const session = sessionOn(calendar, localDate(calendar.timeZone, timeMs));
  return session && session.open <= timeMs && timeMs < session.close ? session : null;
}

/**
 * Whether the market is in a regular session at the instant.
 * @example isOpen(nyse, Date.UTC(2024, 2, 8, 14, 0)) // false (09:00 EST)
 */
export function isOpen(calendar: ExchangeCalendar, timeMs: number): boolean {
  return sessionFor(calendar, timeMs) !== null;
}

/**
 * The next session open strictly after the instant (during a session: the following session's open).
 * Throws when none is found within 31 days, or past the dates the holiday data covers.
 * @example nextOpen(nyse, Date.UTC(2024, 2, 29, 12)) // Date.UTC(2024, 3, 1, 13, 30) (Good Friday → Monday)
 */
export function nextOpen(calendar: ExchangeCalendar, timeMs: number): number {
  const start = localDate(calendar.timeZone, timeMs);
  for (let offset = 0; offset <= MAX_CLOSED_DAYS; offset += 1) {
    const session = sessionOn(calendar, addDays(start, offset));
    if (session && session.open > timeMs) return session.open;
  }
  throw new Error(`${calendar.id}: no session opens within ${MAX_CLOSED_DAYS} days after ${new Date(timeMs).toISOString()}`);
}

/**
 * The trading date a daily bar stamped at `timeMs` belongs to: the exchange-local date of the instant when that
 * date has a session (pre- and post-market included), null on weekends and holidays. Daily bars stamped at
 * local midnight or at the open align; bars stamped at UTC midnight belong to the previous New York date, so
 * shift those before asking.
 * @example sessionDate(nyse, Date.UTC(2024, 2, 11, 20, 0)) // "2024-03-11" (16:00 EDT, the close)
 * @example sessionDate(nyse, Date.UTC(2024, 2, 9, 15, 0)) // null (Saturday)
 */
export function sessionDate(calendar: ExchangeCalendar, timeMs: number): CivilDate | null {
  const date = localDate(calendar.timeZone, timeMs);
  return sessionOn(calendar, date) ? date : null;
}
