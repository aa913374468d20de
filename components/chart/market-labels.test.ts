import { describe, expect, it } from "vitest";
import { marketStatus } from "../../server/domain/calendars/market-status.ts";
import { barCloseTime, calendarFromInfo, delayLabel, formatCountdown, formatMarketClock, formatMarketTime, marketLabel } from "./market-labels.ts";

const utc = (iso: string): number => Date.parse(iso);
const nyse = calendarFromInfo("NYSE", {
  covers: { from: "2026-01-01", to: "2026-12-31" },
  holidays: [
    { date: "2026-11-26", name: "Thanksgiving Day", closed: true },
    { date: "2026-11-27", name: "Day after Thanksgiving", closed: false, earlyClose: "13:00" },
  ],
});
const crypto = calendarFromInfo("CRYPTO", null);

describe("market labels", () => {
  it("formats the next open in UTC, and in a named zone for local mode", () => {
    expect(formatMarketTime(utc("2026-11-23T14:30:00Z"), "utc")).toBe("Mon 23 Nov 14:30 UTC");
    expect(formatMarketClock(utc("2026-11-23T21:00:00Z"), "utc")).toBe("21:00 UTC");
    // the test process runs with TZ=UTC, so local mode names that zone instead of appending "UTC" by rule
    expect(formatMarketTime(utc("2026-11-23T14:30:00Z"), "local")).toMatch(/^Mon 23 Nov 14:30 (UTC|GMT)$/);
  });

  it("closed on a Saturday: 'Market closed · opens Mon 23 Nov 14:30 UTC' with the reason as tooltip", () => {
    const label = marketLabel(marketStatus(nyse, utc("2026-11-21T18:00:00Z")), "utc");
    expect(label).toEqual({ kind: "closed", text: "Market closed · opens Mon 23 Nov 14:30 UTC", title: "NYSE weekend" });
  });

  it("names the holiday, and the early close of the next day", () => {
    const thanksgiving = marketLabel(marketStatus(nyse, utc("2026-11-26T16:00:00Z")), "utc");
    expect(thanksgiving).toEqual({ kind: "closed", text: "Market closed · opens Fri 27 Nov 14:30 UTC", title: "NYSE exchange holiday: Thanksgiving Day" });
    const early = marketLabel(marketStatus(nyse, utc("2026-11-27T15:00:00Z")), "utc");
    expect(early).toMatchObject({ kind: "open", text: "Market open · closes 18:00 UTC" }); // 13:00 EST
  });

  it("says when the next open is unknown (holiday data runs out) and hides for crypto", () => {
    const beyond = marketLabel(marketStatus(nyse, utc("2027-01-04T15:00:00Z")), "utc");
    expect(beyond.kind).toBe("closed");
    expect(beyond.text).toBe("Market closed · next open unknown");
    expect(beyond.title).toContain("extend config/holidays/nyse.yaml");
    expect(marketLabel(marketStatus(crypto, utc("2026-11-21T18:00:00Z")), "utc").kind).toBe("hidden");
  });

  it("labels delayed data only", () => {
    expect(delayLabel(15)).toBe("Delayed 15 min");
    expect(delayLabel(0)).toBeNull();
  });

  it("a bar closes at the end of its slot or at the session close, and not at all outside a session", () => {
    const session = { open: utc("2026-11-23T14:30:00Z"), close: utc("2026-11-23T21:00:00Z") };
    expect(barCloseTime(utc("2026-11-23T15:00:10Z"), "1m", session)).toBe(utc("2026-11-23T15:01:00Z"));
    expect(barCloseTime(utc("2026-11-23T20:30:00Z"), "1h", session)).toBe(utc("2026-11-23T21:00:00Z"));
    expect(barCloseTime(utc("2026-11-23T15:00:00Z"), "1d", session)).toBe(session.close); // stock daily bar: the session close
    expect(barCloseTime(utc("2026-11-23T21:00:00Z"), "1m", session)).toBeNull();
    expect(barCloseTime(utc("2026-11-23T12:00:00Z"), "1m", null)).toBeNull();
    const day = { open: utc("2026-11-21T00:00:00Z"), close: utc("2026-11-22T00:00:00Z") }; // crypto UTC day
    expect(barCloseTime(utc("2026-11-21T23:59:30Z"), "4h", day)).toBe(utc("2026-11-22T00:00:00Z"));
  });

  it("formats countdowns", () => {
    expect([formatCountdown(42_000), formatCountdown(41_001), formatCountdown(600_000), formatCountdown(3_725_000), formatCountdown(-5)]).toEqual(["0:42", "0:42", "10:00", "1:02:05", "0:00"]);
  });
});
