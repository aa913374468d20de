import { describe, expect, it } from "vitest";
import { createExchangeCalendar } from "./exchange-calendar.ts";
import { dataDelayMinutes, isContinuous, marketStatus } from "./market-status.ts";

// Small fixtures; the shipped holiday files are checked in server/config/exchange-calendars.test.ts.
const nyse = createExchangeCalendar("NYSE", {
  covers: { from: "2024-01-01", to: "2024-12-31" },
  holidays: [
    { date: "2024-03-29", name: "Good Friday", closed: true },
    { date: "2024-07-03", name: "Day before Independence Day", closed: false, earlyClose: "13:00" },
    { date: "2024-07-04", name: "Independence Day", closed: true },
  ],
});
const bist = createExchangeCalendar("BIST", { covers: { from: "2025-01-01", to: "2025-12-31" }, holidays: [] });
const crypto = createExchangeCalendar("CRYPTO");
const utc = (iso: string): number => Date.parse(iso);

describe("marketStatus", () => {
  it("in a session: open, the session's bounds, the next session's open", () => {
    // Monday 2024-03-11 is the first EDT session: 13:30Z–20:00Z; Tuesday opens 13:30Z too
    expect(marketStatus(nyse, utc("2024-03-11T15:00:00Z"))).toEqual({
      calendar: "NYSE",
      open: true,
      continuous: false,
      session: { open: utc("2024-03-11T13:30:00Z"), close: utc("2024-03-11T20:00:00Z") },
      nextOpen: utc("2024-03-12T13:30:00Z"),
      reason: "session",
      holiday: null,
      problem: null,
    });
  });

  it("open is inclusive, close exclusive", () => {
    expect(marketStatus(nyse, utc("2024-03-11T13:30:00Z")).open).toBe(true);
    expect(marketStatus(nyse, utc("2024-03-11T13:29:59Z"))).toMatchObject({ open: false, reason: "before-open", nextOpen: utc("2024-03-11T13:30:00Z") });
    expect(marketStatus(nyse, utc("2024-03-11T20:00:00Z"))).toMatchObject({ open: false, reason: "after-close", nextOpen: utc("2024-03-12T13:30:00Z") });
  });

  it("names the reason: weekend, holiday (with its entry), after an early close", () => {
    expect(marketStatus(nyse, utc("2024-03-09T15:00:00Z"))).toMatchObject({ open: false, session: null, reason: "weekend", holiday: null, nextOpen: utc("2024-03-11T13:30:00Z") });
    expect(marketStatus(nyse, utc("2024-03-29T15:00:00Z"))).toMatchObject({ open: false, reason: "holiday", holiday: { name: "Good Friday" }, nextOpen: utc("2024-04-01T13:30:00Z") });
    // 13:00 EDT early close = 17:00Z; July 4 closed → Friday July 5
    expect(marketStatus(nyse, utc("2024-07-03T16:59:59Z"))).toMatchObject({ open: true, session: { close: utc("2024-07-03T17:00:00Z") }, holiday: { earlyClose: "13:00" } });
    expect(marketStatus(nyse, utc("2024-07-03T17:00:00Z"))).toMatchObject({ open: false, reason: "after-close", nextOpen: utc("2024-07-05T13:30:00Z") });
  });

  it("uses the exchange-local date: Friday 21:30 in New York is still Friday (after-close), not Saturday", () => {
    // 2024-03-09T02:30Z = Fri 2024-03-08 21:30 EST
    expect(marketStatus(nyse, utc("2024-03-09T02:30:00Z"))).toMatchObject({ reason: "after-close", nextOpen: utc("2024-03-11T13:30:00Z") });
    // 2025-01-03T22:00Z = Sat 2025-01-04 01:00 in Istanbul
    expect(marketStatus(bist, utc("2025-01-03T22:00:00Z"))).toMatchObject({ reason: "weekend", nextOpen: utc("2025-01-06T07:00:00Z") });
  });

  it("never throws at the edge of the holiday data: no-calendar-data, or an unknown next open", () => {
    const outside = marketStatus(nyse, utc("2025-01-02T15:00:00Z"));
    expect(outside).toMatchObject({ open: false, reason: "no-calendar-data", nextOpen: null, session: null });
    expect(outside.problem).toContain("extend config/holidays/nyse.yaml");
    // the last covered session is open, but the next one lies beyond `covers`
    const last = marketStatus(nyse, utc("2024-12-31T15:00:00Z"));
    expect(last).toMatchObject({ open: true, nextOpen: null, reason: "session" });
    expect(last.problem).toContain("not 2025-01-01");
  });

  it("CRYPTO is continuous and always open", () => {
    expect(isContinuous(crypto)).toBe(true);
    expect(isContinuous(nyse)).toBe(false);
    expect(marketStatus(crypto, utc("2025-01-04T23:59:59Z"))).toMatchObject({
      open: true,
      continuous: true,
      session: { open: utc("2025-01-04T00:00:00Z"), close: utc("2025-01-05T00:00:00Z") },
      reason: "session",
    });
  });
});

describe("dataDelayMinutes", () => {
  it("15 min for Yahoo's Borsa Istanbul quotes, 0 for everything else", () => {
    expect(dataDelayMinutes("YAHOO", "BIST")).toBe(15);
    expect(dataDelayMinutes("yahoo", "BIST")).toBe(15);
    expect(dataDelayMinutes("YAHOO", "NYSE")).toBe(0);
    expect(dataDelayMinutes("ALPACA", "NYSE")).toBe(0);
    expect(dataDelayMinutes("BINANCE", "CRYPTO")).toBe(0);
  });
});
