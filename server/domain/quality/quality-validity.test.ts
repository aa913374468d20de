import { describe, expect, it } from "vitest";
import { checkFreshness, formatNumber, formatPercent, validateBar, validateTrade } from "./quality-validity.ts";
import { btcMinutes, trade } from "./quality-test-helpers.ts";

const bar = btcMinutes()[0]!; // 2023-04-01 00:00: o 28465.36 h 28481.48 l 28465.36 c 28480.07 v 26.31939

describe("validity checks", () => {
  it("accepts every real BTCUSDT minute", () => {
    expect(btcMinutes().flatMap(validateBar)).toEqual([]);
  });

  it("flags NaN, infinities, non-positive prices, negative volume and an inverted range", () => {
    expect(validateBar({ ...bar, close: Number.NaN }).map((issue) => issue.message)).toEqual([
      "BINANCE:BTCUSDT 1m bar 2023-04-01T00:00:00.000Z: close NaN is not a finite number",
    ]);
    expect(validateBar({ ...bar, volume: -1 })).toMatchObject([{ check: "invalid_value", value: -1, threshold: 0 }]);
    expect(validateBar({ ...bar, open: 0, low: 0 }).map((issue) => issue.message)).toContain(
      "BINANCE:BTCUSDT 1m bar 2023-04-01T00:00:00.000Z: open 0 must be > 0",
    );
    // high < low: 28465 is below max(open 28465.36, close 28480.07) = 28480.07; low 28481.48 is above min = 28465.36
    const inverted = validateBar({ ...bar, high: 28465, low: 28481.48 });
    expect(inverted.map((issue) => [issue.check, issue.value, issue.threshold])).toEqual([
      ["invalid_value", 28465, 28480.07],
      ["invalid_value", 28481.48, 28465.36],
    ]);
    expect(validateTrade(trade(1, Number.POSITIVE_INFINITY))[0]?.message).toBe("BINANCE:BTCUSDT trade 1: price Infinity is not a finite number");
    expect(validateTrade(trade(2, 28000, 0))).toMatchObject([{ check: "invalid_value", value: 0, message: "BINANCE:BTCUSDT trade 2: quantity 0 must be > 0" }]);
    expect(validateTrade(trade(3, -5, 1))).toHaveLength(1);
    expect(validateTrade(trade(4, 28000, 0.001))).toEqual([]);
  });

  it("freshness: older than maxAgeMs is stale, exactly maxAgeMs and future times are not", () => {
    expect(checkFreshness("x", 1_000, 61_000, 60_000)).toBeNull();
    expect(checkFreshness("x", 1_000, 62_000, 60_000)).toEqual({ check: "stale", value: 61_000, threshold: 60_000, message: "x: data is 61 s old (limit 60 s)" });
    expect(checkFreshness("x", 100_000, 0, 60_000)).toBeNull();
    expect(checkFreshness("x", 0, 1e12, Number.POSITIVE_INFINITY)).toBeNull();
  });

  it("formats numbers and percentages for messages", () => {
    expect(formatNumber(31000)).toBe("31,000");
    expect(formatNumber(27580.12)).toBe("27,580.12");
    expect(formatPercent(31000 / 27580 - 1)).toBe("12.4%");
    expect(formatPercent(0.1)).toBe("10%");
  });
});
