/**
 * The shipped holiday data (config/holidays/*.yaml) joined with the domain calendars, checked against the
 * exchanges' published 2024 and 2025 calendars: every NYSE full-day holiday (with the unscheduled 2025-01-09
 * closure), every 13:00 early close, both DST switch weeks of both years, and Borsa Istanbul examples.
 * The expected lists below are written out by hand from the NYSE and Borsa Istanbul holiday pages, not
 * derived from the YAML, so a wrong or missing line in the data fails here.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExchangeCalendar } from "../domain/calendars/calendar-types.ts";
import { addDays, weekday } from "../domain/calendars/civil-date.ts";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import { marketStatus } from "../domain/calendars/market-status.ts";
import { isOpen, nextOpen, sessionOn, sessionsBetween } from "../domain/calendars/sessions.ts";
import { loadCalendarHolidays } from "./holidays-config.ts";

const directory = path.resolve(import.meta.dirname, "..", "..", "config", "holidays");
const utc = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;

const NYSE_CLOSED: Record<string, string[]> = {
  // New Year, MLK, Washington, Good Friday, Memorial, Juneteenth, Independence, Labor, Thanksgiving, Christmas
  "2024": ["2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"],
  // the same ten, plus Thursday 2025-01-09: national day of mourning for President Carter (announced late Dec 2024)
  "2025": ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"],
};
const NYSE_EARLY: Record<string, string[]> = {
  "2024": ["2024-07-03", "2024-11-29", "2024-12-24"],
  "2025": ["2025-07-03", "2025-11-28", "2025-12-24"],
};
/** Daylight saving time in New York: [first EDT day, first EST day again). 2024: Mar 10 – Nov 3; 2025: Mar 9 – Nov 2. */
const EDT: Record<string, [string, string]> = { "2024": ["2024-03-10", "2024-11-03"], "2025": ["2025-03-09", "2025-11-02"] };

function weekdaysOf(year: string): string[] {
  const days: string[] = [];
  for (let date = `${year}-01-01`; date < `${Number(year) + 1}-01-01`; date = addDays(date, 1)) {
    if (weekday(date) >= 1 && weekday(date) <= 5) days.push(date);
  }
  return days;
}

/** UTC instant of New York wall clock `hhmm` on `date`, with the offset from the hand-written DST table. */
function newYork(date: string, hhmm: string, year: string): number {
  const [from, to] = EDT[year] as [string, string];
  const offsetHours = date >= from && date < to ? 4 : 5;
  return utc(`${date}T${hhmm}:00Z`) + offsetHours * HOUR;
}

let nyse: ExchangeCalendar;
let nasdaq: ExchangeCalendar;
let bist: ExchangeCalendar;
beforeAll(async () => {
  nyse = createExchangeCalendar("NYSE", await loadCalendarHolidays("NYSE", directory));
  nasdaq = createExchangeCalendar("NASDAQ", await loadCalendarHolidays("NASDAQ", directory));
  bist = createExchangeCalendar("BIST", await loadCalendarHolidays("BIST", directory));
});

describe.each(["2024", "2025"])("NYSE %s calendar from config/holidays/nyse.yaml", (year) => {
  it("closes on exactly the published full-day holidays (NASDAQ too)", () => {
    const sessions = sessionsBetween(nyse, `${year}-01-01`, `${Number(year) + 1}-01-01`);
    const traded = new Set(sessions.map((session) => session.date));
    const closedWeekdays = weekdaysOf(year).filter((date) => !traded.has(date));
    expect(closedWeekdays).toEqual(NYSE_CLOSED[year]);
    // 2024: 262 weekdays − 10 = 252 sessions; 2025: 261 weekdays − 11 = 250
    expect(sessions).toHaveLength(weekdaysOf(year).length - (NYSE_CLOSED[year]?.length ?? 0));
    expect(sessionsBetween(nasdaq, `${year}-01-01`, `${Number(year) + 1}-01-01`)).toEqual(sessions);
    for (const date of NYSE_CLOSED[year] ?? []) {
      expect(isOpen(nyse, newYork(date, "12:00", year)), date).toBe(false);
      expect(marketStatus(nyse, newYork(date, "12:00", year)), date).toMatchObject({ open: false, reason: "holiday", holiday: { date, closed: true } });
    }
  });

  it("opens 09:30 and closes 16:00 New York every session, 13:00 on exactly the early-close days", () => {
    const sessions = sessionsBetween(nyse, `${year}-01-01`, `${Number(year) + 1}-01-01`);
    const early = sessions.filter((session) => session.close !== newYork(session.date, "16:00", year)).map((session) => session.date);
    expect(early).toEqual(NYSE_EARLY[year]);
    for (const session of sessions) expect(session.open, session.date).toBe(newYork(session.date, "09:30", year));
    for (const date of NYSE_EARLY[year] ?? []) {
      expect(sessionOn(nyse, date)?.close).toBe(newYork(date, "13:00", year));
      expect(isOpen(nyse, newYork(date, "12:59", year))).toBe(true);
      expect(marketStatus(nyse, newYork(date, "13:00", year))).toMatchObject({ open: false, reason: "after-close", holiday: { date, earlyClose: "13:00" } });
    }
  });

  it("follows both DST switches: 14:30Z opens in EST, 13:30Z in EDT, the switch Sunday closed", () => {
    const [spring, fall] = EDT[year] as [string, string];
    // the week around each switch Sunday: Friday before (old offset) and Monday after (new offset)
    expect(sessionsBetween(nyse, addDays(spring, -2), addDays(spring, 2))).toEqual([
      { date: addDays(spring, -2), open: utc(`${addDays(spring, -2)}T14:30:00Z`), close: utc(`${addDays(spring, -2)}T21:00:00Z`) },
      { date: addDays(spring, 1), open: utc(`${addDays(spring, 1)}T13:30:00Z`), close: utc(`${addDays(spring, 1)}T20:00:00Z`) },
    ]);
    expect(sessionsBetween(nyse, addDays(fall, -2), addDays(fall, 2))).toEqual([
      { date: addDays(fall, -2), open: utc(`${addDays(fall, -2)}T13:30:00Z`), close: utc(`${addDays(fall, -2)}T20:00:00Z`) },
      { date: addDays(fall, 1), open: utc(`${addDays(fall, 1)}T14:30:00Z`), close: utc(`${addDays(fall, 1)}T21:00:00Z`) },
    ]);
    // on the switch Sundays themselves: weekend, next open Monday at the new offset
    expect(marketStatus(nyse, utc(`${spring}T15:00:00Z`))).toMatchObject({ open: false, reason: "weekend", nextOpen: utc(`${addDays(spring, 1)}T13:30:00Z`) });
    expect(marketStatus(nyse, utc(`${fall}T15:00:00Z`))).toMatchObject({ open: false, reason: "weekend", nextOpen: utc(`${addDays(fall, 1)}T14:30:00Z`) });
    // 14:00Z on the Monday after: 10:00 EDT (open) in spring, 09:00 EST (before the open) in autumn
    expect(isOpen(nyse, utc(`${addDays(spring, 1)}T14:00:00Z`))).toBe(true);
    expect(marketStatus(nyse, utc(`${addDays(fall, 1)}T14:00:00Z`))).toMatchObject({ open: false, reason: "before-open", nextOpen: utc(`${addDays(fall, 1)}T14:30:00Z`) });
  });
});

describe("NYSE next opens across holidays", () => {
  it("skips New Year, the 2025-01-09 closure, Good Friday and Thanksgiving", () => {
    expect(nextOpen(nyse, utc("2024-12-31T21:00:00Z"))).toBe(utc("2025-01-02T14:30:00Z"));
    expect(nextOpen(nyse, utc("2025-01-08T21:00:00Z"))).toBe(utc("2025-01-10T14:30:00Z"));
    expect(nextOpen(nyse, utc("2025-04-17T20:00:00Z"))).toBe(utc("2025-04-21T13:30:00Z"));
    expect(nextOpen(nyse, utc("2025-11-26T21:00:00Z"))).toBe(utc("2025-11-28T14:30:00Z"));
    expect(nextOpen(nyse, utc("2025-12-24T18:00:00Z"))).toBe(utc("2025-12-26T14:30:00Z")); // after the 13:00 EST close
  });
});

describe("BIST calendar from config/holidays/bist.yaml", () => {
  it("10:00–18:00 Istanbul = 07:00Z–15:00Z all year (no DST), whatever New York and Europe do", () => {
    for (const date of ["2024-03-08", "2024-03-11", "2024-11-04", "2025-01-02", "2025-03-10", "2025-03-31", "2025-07-01", "2025-11-03"]) {
      const session = sessionOn(bist, date);
      if (date === "2025-03-31") {
        expect(session, date).toBeNull(); // Ramazan Bayramı day 2
        continue;
      }
      expect(session, date).toEqual({ date, open: utc(`${date}T07:00:00Z`), close: utc(`${date}T15:00:00Z`) });
    }
  });

  it("closes on public holidays and half days close 12:30 (09:30Z)", () => {
    for (const date of ["2024-01-01", "2024-04-23", "2024-05-01", "2024-07-15", "2024-08-30", "2024-10-29", "2025-01-01", "2025-04-23", "2025-05-01", "2025-05-19", "2025-07-15", "2025-10-29"]) {
      expect(sessionOn(bist, date), date).toBeNull();
    }
    expect(sessionOn(bist, "2024-10-28")?.close).toBe(utc("2024-10-28T09:30:00Z"));
    expect(sessionOn(bist, "2025-10-28")?.close).toBe(utc("2025-10-28T09:30:00Z"));
    expect(marketStatus(bist, utc("2025-10-28T10:00:00Z"))).toMatchObject({ open: false, reason: "after-close", nextOpen: utc("2025-10-30T07:00:00Z") });
    // Friday evening in Istanbul → Monday 10:00 (07:00Z)
    expect(marketStatus(bist, utc("2025-01-03T16:00:00Z"))).toMatchObject({ open: false, reason: "after-close", nextOpen: utc("2025-01-06T07:00:00Z") });
    // Istanbul's date turns at 21:00Z: 2025-01-01T21:30Z is Thursday 00:30 local, before the open
    expect(marketStatus(bist, utc("2025-01-01T21:30:00Z"))).toMatchObject({ open: false, reason: "before-open", nextOpen: utc("2025-01-02T07:00:00Z") });
  });
});
