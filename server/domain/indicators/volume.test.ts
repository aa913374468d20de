import { describe, expect, it } from "vitest";
import { PriceChangeState, RelativeVolumeState } from "./scanner-metrics.ts";
import { SmaState } from "./moving-average.ts";
import { createLocalDateSessionKey, nyseSessionKey, utcDateSessionKey } from "./session-keys.ts";
import { ObvState, VwapState } from "./volume.ts";

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2021, 0, 2); // 2021-01-02T00:00Z

describe("OBV", () => {
  it("starts at the first volume and adds/subtracts by close direction", () => {
    const obv = new ObvState();
    const values = [[10, 100], [11, 50], [10.5, 20], [10.5, 70]].map(([close, volume]) => obv.update(close ?? 0, volume ?? 0, true));
    expect(values).toEqual([100, 150, 130, 130]);
  });
});

describe("session VWAP", () => {
  it("accumulates typical price × volume within the UTC day and restarts at midnight", () => {
    const vwap = new VwapState();
    expect(vwap.update(DAY0, 11, 9, 10, 100, true)).toBe(10);
    expect(vwap.update(DAY0 + HOUR, 13, 11, 12, 300, true)).toBe(11.5); // (10·100 + 12·300)/400
    expect(vwap.update(DAY0 + 2 * HOUR, 20, 20, 20, 0, true)).toBe(11.5); // zero volume keeps the value
    expect(vwap.update(DAY0 + 24 * HOUR, 21, 19, 20, 5, true)).toBe(20); // new session
  });

  it("is null while the session has no volume yet", () => {
    const vwap = new VwapState();
    expect(vwap.update(DAY0, 11, 9, 10, 0, true)).toBeNull();
    expect(vwap.update(DAY0 + HOUR, 11, 9, 10, 1, true)).toBe(10);
  });

  it("accepts a caller's session key", () => {
    const vwap = new VwapState(() => "one session");
    vwap.update(DAY0, 10, 10, 10, 1, true);
    expect(vwap.update(DAY0 + 48 * HOUR, 20, 20, 20, 1, true)).toBe(15);
  });
});

describe("session keys", () => {
  it("crypto: the UTC date", () => {
    expect(utcDateSessionKey(Date.UTC(2021, 0, 2, 23, 0))).toBe(18629);
    expect(utcDateSessionKey(Date.UTC(2021, 0, 3, 0, 0))).toBe(18630);
  });

  it("NYSE: the New York date, through DST", () => {
    expect(nyseSessionKey(Date.UTC(2024, 2, 15, 13, 30))).toBe("2024-03-15"); // 09:30 EDT
    expect(nyseSessionKey(Date.UTC(2024, 2, 16, 3, 59))).toBe("2024-03-15"); // 23:59 EDT
    expect(nyseSessionKey(Date.UTC(2024, 2, 16, 4, 0))).toBe("2024-03-16");
    expect(nyseSessionKey(Date.UTC(2024, 0, 10, 4, 30))).toBe("2024-01-09"); // 23:30 EST (UTC−5)
    expect(nyseSessionKey(Date.UTC(2024, 0, 10, 14, 30))).toBe("2024-01-10"); // 09:30 EST
  });

  it("any zone", () => {
    expect(createLocalDateSessionKey("Europe/Istanbul")(Date.UTC(2024, 0, 1, 21, 30))).toBe("2024-01-02");
  });
});

describe("scanner metrics", () => {
  it("relative volume compares with the previous 20 bars' mean (a 5× spike reads 5)", () => {
    const average = new SmaState(20);
    const relative = new RelativeVolumeState();
    const values = [...Array<number>(20).fill(10), 50].map((volume) => relative.update(volume, average.update(volume, true), true));
    expect(values.slice(0, 20).every((value) => value === null)).toBe(true);
    expect(values[20]).toBe(5);
  });

  it("price change in percent over 1 and 5 bars", () => {
    const change = new PriceChangeState([1, 5]);
    [100, 101, 102, 103, 104, 110].forEach((close) => change.update(close, true));
    expect(change.changes[0]).toBeCloseTo((100 * (110 - 104)) / 104, 12);
    expect(change.changes[1]).toBeCloseTo(10, 12); // 100·(110 − 100)/100
    change.update(121, false);
    expect(change.changes[0]).toBeCloseTo(10, 12); // preview against the committed 110
  });
});
