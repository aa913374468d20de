import { describe, expect, it } from "vitest";
import type { HolidayData } from "./calendar-types.ts";
import { addDays, isCivilDate, parseWallClock, weekday } from "./civil-date.ts";
import { createExchangeCalendar } from "./exchange-calendar.ts";
import { isOpen, nextOpen, sessionDate, sessionFor, sessionOn, sessionsBetween } from "./sessions.ts";
import { localDate, zonedWallClockToUtc, zoneOffsetMinutes } from "./zoned-time.ts";

// A small fixture (the real lists are in config/holidays and tested through the CLI).
const NYSE_2024: HolidayData = {
  covers: { from: "2024-01-01", to: "2024-12-31" },
  holidays: [
    { date: "2024-03-29", name: "Good Friday", closed: true },
    { date: "2024-07-03", name: "Day before Independence Day", closed: false, earlyClose: "13:00" },
    { date: "2024-07-04", name: "Independence Day", closed: true },
  ],
};
const nyse = createExchangeCalendar("NYSE", NYSE_2024);
const bist = createExchangeCalendar("BIST", {
  covers: { from: "2025-01-01", to: "2025-12-31" },
  holidays: [{ date: "2025-06-05", name: "Kurban Bayramı eve", closed: false, earlyClose: "12:30" }],
});
const crypto = createExchangeCalendar("CRYPTO");
const utc = (iso: string): number => Date.parse(iso);

describe("civil dates and zones", () => {
  it("validates dates and wall-clock times and steps across months and leap days", () => {
    expect([isCivilDate("2024-02-29"), isCivilDate("2023-02-29"), isCivilDate("2024-3-1")]).toEqual([true, false, false]);
    expect([parseWallClock("09:30"), parseWallClock("24:00"), parseWallClock("24:01"), parseWallClock("9:30")]).toEqual([570, 1440, null, null]);
    expect(addDays("2024-02-28", 2)).toBe("2024-03-01");
    expect(addDays("2025-01-01", -1)).toBe("2024-12-31");
    expect(weekday("2024-03-09")).toBe(6);
  });

  it("converts New York wall clock to UTC on both sides of the 2024 DST switches", () => {
    expect(zoneOffsetMinutes("America/New_York", utc("2024-01-15T12:00:00Z"))).toBe(-300);
    expect(zoneOffsetMinutes("America/New_York", utc("2024-07-15T12:00:00Z"))).toBe(-240);
    // spring forward Sun 2024-03-10 02:00 EST → 03:00 EDT; fall back Sun 2024-11-03 02:00 EDT → 01:00 EST
    expect(zonedWallClockToUtc("America/New_York", "2024-03-10", 0)).toBe(utc("2024-03-10T05:00:00Z"));
    expect(zonedWallClockToUtc("America/New_York", "2024-03-10", 12 * 60)).toBe(utc("2024-03-10T16:00:00Z"));
    expect(zonedWallClockToUtc("America/New_York", "2024-03-10", 150)).toBe(utc("2024-03-10T07:30:00Z")); // 02:30 does not exist → 03:30 EDT
    expect(zonedWallClockToUtc("America/New_York", "2024-11-03", 12 * 60)).toBe(utc("2024-11-03T17:00:00Z"));
    expect(zonedWallClockToUtc("UTC", "2024-12-31", 1440)).toBe(utc("2025-01-01T00:00:00Z"));
    expect(zonedWallClockToUtc("Europe/Istanbul", "2025-07-01", 600)).toBe(utc("2025-07-01T07:00:00Z")); // UTC+3 in summer too
    expect(localDate("Europe/Istanbul", utc("2024-01-01T21:30:00Z"))).toBe("2024-01-02");
    expect(localDate("America/New_York", utc("2024-03-12T03:59:59Z"))).toBe("2024-03-11");
  });
});

describe("sessionsBetween", () => {
  it("NYSE opens 14:30Z in EST and 13:30Z in EDT (2024-03-08 Fri vs 2024-03-11 Mon), weekend skipped", () => {
    expect(sessionsBetween(nyse, "2024-03-08", "2024-03-12")).toEqual([
      { date: "2024-03-08", open: utc("2024-03-08T14:30:00Z"), close: utc("2024-03-08T21:00:00Z") },
      { date: "2024-03-11", open: utc("2024-03-11T13:30:00Z"), close: utc("2024-03-11T20:00:00Z") },
    ]);
  });

  it("and back at the November switch (2024-11-01 EDT vs 2024-11-04 EST)", () => {
    expect(sessionsBetween(nyse, "2024-11-01", "2024-11-05")).toEqual([
      { date: "2024-11-01", open: utc("2024-11-01T13:30:00Z"), close: utc("2024-11-01T20:00:00Z") },
      { date: "2024-11-04", open: utc("2024-11-04T14:30:00Z"), close: utc("2024-11-04T21:00:00Z") },
    ]);
  });

  it("applies early closes and holidays; `to` is exclusive, an empty range is empty", () => {
    expect(sessionsBetween(nyse, "2024-07-03", "2024-07-06")).toEqual([
      { date: "2024-07-03", open: utc("2024-07-03T13:30:00Z"), close: utc("2024-07-03T17:00:00Z") },
      { date: "2024-07-05", open: utc("2024-07-05T13:30:00Z"), close: utc("2024-07-05T20:00:00Z") },
    ]);
    expect(sessionsBetween(nyse, "2024-03-29", "2024-03-30")).toEqual([]);
    expect(sessionsBetween(nyse, "2024-03-11", "2024-03-11")).toEqual([]);
  });

  it("BIST 10:00–18:00 Istanbul = 07:00Z–15:00Z; a 12:30 half day closes 09:30Z", () => {
    expect(sessionsBetween(bist, "2025-01-02", "2025-01-03")).toEqual([{ date: "2025-01-02", open: utc("2025-01-02T07:00:00Z"), close: utc("2025-01-02T15:00:00Z") }]);
    expect(sessionOn(bist, "2025-06-05")?.close).toBe(utc("2025-06-05T09:30:00Z"));
  });

  it("CRYPTO has one 24h session per UTC day, weekends and New Year included", () => {
    const sessions = sessionsBetween(crypto, "2024-12-30", "2025-01-06");
    expect(sessions.map((session) => session.date)).toEqual(["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]);
    for (const session of sessions) expect(session.close - session.open).toBe(86_400_000);
    expect(sessions[0]?.open).toBe(utc("2024-12-30T00:00:00Z"));
    expect(sessionsBetween(crypto, "2024-01-01", "2025-01-01")).toHaveLength(366); // leap year
  });

  it("refuses invalid dates, reversed ranges and dates the holiday data does not cover", () => {
    expect(() => sessionsBetween(nyse, "2024-02-30", "2024-03-01")).toThrow('invalid date "2024-02-30"');
    expect(() => sessionsBetween(nyse, "2024-03-02", "2024-03-01")).toThrow("ends (2024-03-01) before it starts (2024-03-02)");
    expect(() => sessionsBetween(nyse, "2024-12-30", "2025-01-03")).toThrow("NYSE: holiday data covers 2024-01-01..2024-12-31, not 2025-01-01; extend config/holidays/nyse.yaml");
  });
});

describe("createExchangeCalendar", () => {
  it("needs holidays for stock exchanges and refuses bad entries", () => {
    const covers = { from: "2024-01-01", to: "2024-12-31" };
    expect(() => createExchangeCalendar("NYSE")).toThrow("NYSE: holiday data is required");
    expect(() => createExchangeCalendar("NYSE", { covers, holidays: [{ date: "2024-07-03", name: "x", closed: false, earlyClose: "17:00" }] })).toThrow("early close \"17:00\" must be HH:MM between 09:30 and 16:00");
    const twice = { date: "2024-07-04", name: "x", closed: true } as const;
    expect(() => createExchangeCalendar("NYSE", { covers, holidays: [twice, twice] })).toThrow("2024-07-04 is listed twice");
    expect(() => createExchangeCalendar("CRYPTO", { covers, holidays: [twice] })).toThrow("CRYPTO never closes");
  });
});

describe("instant queries", () => {
  it("isOpen / sessionFor: open inclusive, close exclusive, DST-aware", () => {
    expect(isOpen(nyse, utc("2024-03-08T14:29:59Z"))).toBe(false);
    expect(isOpen(nyse, utc("2024-03-08T14:30:00Z"))).toBe(true);
    expect(isOpen(nyse, utc("2024-03-11T13:30:00Z"))).toBe(true); // 09:30 EDT
    expect(isOpen(nyse, utc("2024-03-11T20:00:00Z"))).toBe(false); // 16:00 EDT
    expect(isOpen(nyse, utc("2024-07-03T17:30:00Z"))).toBe(false); // after the 13:00 early close
    expect(isOpen(nyse, utc("2024-03-29T15:00:00Z"))).toBe(false); // Good Friday
    expect(isOpen(nyse, utc("2024-03-09T15:00:00Z"))).toBe(false); // Saturday
    expect(sessionFor(nyse, utc("2024-03-11T19:59:59Z"))?.date).toBe("2024-03-11");
    expect(sessionFor(bist, utc("2025-01-02T14:59:00Z"))?.date).toBe("2025-01-02");
    expect(sessionFor(crypto, utc("2025-01-04T23:59:59Z"))?.date).toBe("2025-01-04");
  });

  it("nextOpen: strictly after the instant, across weekends and holidays", () => {
    expect(nextOpen(nyse, utc("2024-03-08T12:00:00Z"))).toBe(utc("2024-03-08T14:30:00Z")); // before Friday's open
    expect(nextOpen(nyse, utc("2024-03-08T14:30:00Z"))).toBe(utc("2024-03-11T13:30:00Z")); // open now → Monday (EDT)
    expect(nextOpen(nyse, utc("2024-03-28T21:00:00Z"))).toBe(utc("2024-04-01T13:30:00Z")); // Good Friday + weekend
    expect(nextOpen(nyse, utc("2024-07-03T18:00:00Z"))).toBe(utc("2024-07-05T13:30:00Z"));
    expect(nextOpen(crypto, utc("2025-01-04T10:00:00Z"))).toBe(utc("2025-01-05T00:00:00Z"));
    expect(() => nextOpen(nyse, utc("2024-12-31T22:00:00Z"))).toThrow("not 2025-01-01");
  });

  it("sessionDate: the exchange-local trading date, null on closed days", () => {
    expect(sessionDate(nyse, utc("2024-03-11T04:00:00Z"))).toBe("2024-03-11"); // local midnight EDT
    expect(sessionDate(nyse, utc("2024-03-12T01:00:00Z"))).toBe("2024-03-11"); // 21:00 EDT, post-market
    expect(sessionDate(nyse, utc("2024-03-09T15:00:00Z"))).toBeNull();
    expect(sessionDate(nyse, utc("2024-07-04T14:00:00Z"))).toBeNull();
    expect(sessionDate(bist, utc("2025-01-01T21:00:00Z"))).toBe("2025-01-02"); // Istanbul midnight
    expect(sessionDate(crypto, utc("2025-01-04T23:59:59Z"))).toBe("2025-01-04");
  });
});
