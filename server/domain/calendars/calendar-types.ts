/**
 * Types of the exchange calendars: which days an exchange trades, from when to when (UTC epoch ms).
 * Pure data; holiday lists come from config/holidays/*.yaml through server/config/holidays-config.ts.
 */

/** A calendar date "YYYY-MM-DD" (no time zone: the exchange's own local date). */
export type CivilDate = string;

/** One trading session: the exchange-local date and its open/close instants (UTC epoch ms, close exclusive). */
export interface Session {
  date: CivilDate;
  open: number;
  close: number;
}

/** A day that differs from the regular schedule: fully closed, or closing early at `earlyClose` ("HH:MM" local). */
export type HolidayEntry =
  | { date: CivilDate; name: string; closed: true }
  | { date: CivilDate; name: string; closed: false; earlyClose: string };

/** The holiday data of one exchange, and the dates it is known to be complete for (inclusive). */
export interface HolidayData {
  covers: { from: CivilDate; to: CivilDate };
  holidays: readonly HolidayEntry[];
}

export type CalendarId = "NYSE" | "NASDAQ" | "BIST" | "CRYPTO";

/** The regular weekly schedule of an exchange. */
export interface CalendarDefinition {
  id: CalendarId;
  /** IANA zone the open/close wall-clock times are in. */
  timeZone: string;
  /** Regular open, "HH:MM" local. */
  open: string;
  /** Regular close, "HH:MM" local; "24:00" is the next midnight. */
  close: string;
  /** Trading weekdays, 0 = Sunday … 6 = Saturday. */
  weekdays: readonly number[];
  /** Whether holiday data is required (stock exchanges) or the schedule never changes (crypto). */
  needsHolidays: boolean;
}

/** A calendar ready to answer questions: the definition plus its holidays, keyed by date. */
export interface ExchangeCalendar extends CalendarDefinition {
  holidays: ReadonlyMap<CivilDate, HolidayEntry>;
  /** Dates the holiday data is complete for; `null` = every date (crypto). */
  covers: { from: CivilDate; to: CivilDate } | null;
}
