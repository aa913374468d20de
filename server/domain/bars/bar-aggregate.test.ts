import { describe, expect, it } from "vitest";
import type { Bar } from "./bar.ts";
import { aggregateBars } from "./bar-aggregate.ts";
import { readFixture } from "./bar-test-helpers.ts";

const minute = (openTime: number, values: [number, number, number, number, number], trades: number, source: Bar["source"] = "rest"): Bar => {
  const [open, high, low, close, volume] = values;
  return { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime, open, high, low, close, volume, trades, source };
};

describe("aggregateBars", () => {
  it("matches the freqtrade 5m candles built from its 1m candles (BTCUSDT 2023-04-01 00:00–00:10)", () => {
    const rows = JSON.parse(readFixture("binance/ohlcv/BTCUSDT-1m-20230401-20230403.json")) as [number, number, number, number, number, number][];
    const minutes = rows.slice(0, 10).map(([time, ...values]) => minute(time, values as [number, number, number, number, number], 1));
    const [first, second] = aggregateBars(minutes, "5m");
    // 00:00–00:05: o 28465.36 (00:00), h max(28481.48, 28481.79, 28479.99, 28464.42, 28453.98) = 28481.79,
    // l min(28465.36, 28465.36, 28457.43, 28451.92, 28448.94) = 28448.94, c 28453.55 (00:04)
    expect(first).toMatchObject({ timeframe: "5m", openTime: 1680307200000, open: 28465.36, high: 28481.79, low: 28448.94, close: 28453.55, trades: 5, source: "rest" });
    // v 26.31939 + 18.34987 + 49.80521 + 23.10271 + 39.77908 = 157.35626
    expect(first?.volume).toBeCloseTo(157.35626, 9);
    expect(second?.openTime).toBe(1680307500000);
  });

  it("ignores zero-trade minutes for the price unless all minutes are empty; source trades > kline > rest", () => {
    const flat = minute(0, [100, 100, 100, 100, 0], 0, "trades");
    const traded = minute(60_000, [105, 107, 104, 106, 2], 3, "kline");
    expect(aggregateBars([flat, traded], "5m")[0]).toMatchObject({ open: 105, high: 107, low: 104, close: 106, volume: 2, trades: 3, source: "trades" });
    expect(aggregateBars([{ ...flat, source: "kline" }, minute(60_000, [100, 100, 100, 100, 0], 0)], "5m")[0]).toMatchObject({
      open: 100, high: 100, low: 100, close: 100, volume: 0, trades: 0, source: "kline",
    });
  });
});
