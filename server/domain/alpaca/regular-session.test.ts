/**
 * Regular-session minutes and daily alignment for NYSE stocks on the 2024 DST switch days (10 March, 3 November),
 * an early close and a holiday: pre-market and after-hours minutes are dropped, and the UTC-day bucket of every
 * session minute is 00:00 UTC of the New York session date.
 */
import { describe, expect, it } from "vitest";
import { alignTime } from "../time/timeframes.ts";
import { createExchangeCalendar } from "../calendars/exchange-calendar.ts";
import { sessionsBetween } from "../calendars/sessions.ts";
import { closedStretches, RegularSessionFilter, sessionMinutesBack, sessionsFitUtcDays } from "./regular-session.ts";

const nyse = createExchangeCalendar("NYSE", {
  covers: { from: "2024-01-01", to: "2024-12-31" },
  holidays: [
    { date: "2024-07-03", name: "Day before Independence Day", closed: false, earlyClose: "13:00" },
    { date: "2024-07-04", name: "Independence Day", closed: true },
  ],
});
const utc = (iso: string) => Date.parse(iso);
const filter = new RegularSessionFilter(nyse);

describe("RegularSessionFilter", () => {
  it("Friday before the March switch (EST): 14:30Z–20:59Z kept, 14:29Z pre-market and 21:00Z after-hours dropped", () => {
    expect(filter.containsMinute(utc("2024-03-08T14:29:00Z"))).toBe(false);
    expect(filter.containsMinute(utc("2024-03-08T14:30:00Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-03-08T20:59:00Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-03-08T21:00:00Z"))).toBe(false);
  });

  it("Monday after the March switch (EDT): 13:30Z opens, 20:00Z is after-hours; a trade inside a minute counts", () => {
    expect(filter.containsMinute(utc("2024-03-11T13:29:00Z"))).toBe(false);
    expect(filter.containsMinute(utc("2024-03-11T13:30:00Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-03-11T19:59:59.999Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-03-11T20:00:00Z"))).toBe(false);
    expect(filter.containsMinute(utc("2024-03-10T15:00:00Z"))).toBe(false); // the switch day itself is a Sunday
  });

  it("November switch: Friday 11-01 closes 20:00Z (EDT), Monday 11-04 opens 14:30Z (EST)", () => {
    expect(filter.containsMinute(utc("2024-11-01T19:59:00Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-11-01T20:00:00Z"))).toBe(false);
    expect(filter.containsMinute(utc("2024-11-04T14:29:00Z"))).toBe(false);
    expect(filter.containsMinute(utc("2024-11-04T14:30:00Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-11-04T20:59:00Z"))).toBe(true);
  });

  it("early close 13:00 New York (17:00Z) and the holiday after it", () => {
    expect(filter.containsMinute(utc("2024-07-03T16:59:00Z"))).toBe(true);
    expect(filter.containsMinute(utc("2024-07-03T17:00:00Z"))).toBe(false);
    expect(filter.containsMinute(utc("2024-07-04T15:00:00Z"))).toBe(false);
  });

  it("the daily bar opens at 00:00 UTC of the session date, equal to the UTC-day bucket of the first and last minute", () => {
    const sessions = [...sessionsBetween(nyse, "2024-03-07", "2024-03-13"), ...sessionsBetween(nyse, "2024-10-30", "2024-11-06"), ...sessionsBetween(nyse, "2024-07-02", "2024-07-06")];
    expect(sessions.map((session) => session.date)).toEqual(["2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12", "2024-10-30", "2024-10-31", "2024-11-01", "2024-11-04", "2024-11-05", "2024-07-02", "2024-07-03", "2024-07-05"]);
    expect(sessionsFitUtcDays(sessions)).toBe(true);
    for (const session of sessions) {
      const day = utc(`${session.date}T00:00:00Z`);
      const lastMinute = session.close - 60_000;
      expect([filter.dailyOpenTime(session.open), filter.dailyOpenTime(lastMinute)]).toEqual([day, day]);
      expect([alignTime(session.open, "1d"), alignTime(lastMinute, "1d")]).toEqual([day, day]);
    }
    expect(filter.dailyOpenTime(utc("2024-03-11T20:30:00Z"))).toBeNull(); // after-hours has no daily bar
  });

  it("a session that crossed UTC midnight would not fit (the check can fail)", () => {
    expect(sessionsFitUtcDays([{ date: "2025-01-02", open: utc("2025-01-02T22:00:00Z"), close: utc("2025-01-03T05:00:00Z") }])).toBe(false);
  });

  it("refuses dates the holiday data does not cover", () => {
    expect(() => filter.containsMinute(utc("2025-01-02T15:00:00Z"))).toThrow("holiday data covers 2024-01-01..2024-12-31");
  });
});

describe("sessionMinutesBack and closedStretches", () => {
  it("on a Saturday, 390 minutes reach back to Friday's session; 391 to Thursday's", () => {
    expect(sessionMinutesBack(nyse, utc("2024-03-09T12:00:00Z"), 390)).toBe(utc("2024-03-08T00:00:00Z"));
    expect(sessionMinutesBack(nyse, utc("2024-03-09T12:00:00Z"), 391)).toBe(utc("2024-03-07T00:00:00Z"));
    // mid-session Monday 11-04 (EST, open 14:30Z): 60 minutes done at 15:30Z, so 61 reach Friday 11-01
    expect(sessionMinutesBack(nyse, utc("2024-11-04T15:30:00Z"), 60)).toBe(utc("2024-11-04T00:00:00Z"));
    expect(sessionMinutesBack(nyse, utc("2024-11-04T15:30:00Z"), 61)).toBe(utc("2024-11-01T00:00:00Z"));
  });

  it("the weekend across the March switch is one stretch from Friday 21:00Z to Monday 13:30Z", () => {
    expect(closedStretches(nyse, utc("2024-03-08T20:00:00Z"), utc("2024-03-11T15:00:00Z"))).toEqual([[utc("2024-03-08T21:00:00Z"), utc("2024-03-11T13:30:00Z")]]);
    expect(closedStretches(nyse, utc("2024-07-03T16:00:00Z"), utc("2024-07-05T14:00:00Z"))).toEqual([[utc("2024-07-03T17:00:00Z"), utc("2024-07-05T13:30:00Z")]]);
  });
});
