import { describe, expect, it } from "vitest";
import { minutePath } from "./minute-path.ts";

// First candle of fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json
const kline = { openTime: 1680307200000, open: 28465.36, high: 28481.48, low: 28465.36, close: 28480.07, volume: 26.31939 };

describe("minutePath", () => {
  it("adds up to the recorded candle exactly", () => {
    const trades = minutePath(kline);
    expect(trades).toHaveLength(20);
    expect(trades[0]!.price).toBe(kline.open);
    expect(trades.at(-1)!.price).toBe(kline.close);
    expect(Math.max(...trades.map((t) => t.price))).toBe(kline.high);
    expect(Math.min(...trades.map((t) => t.price))).toBe(kline.low);
    const volume = trades.reduce((sum, t) => sum + t.quantity, 0);
    expect(volume).toBeCloseTo(kline.volume, 9);
  });

  it("keeps trades strictly inside the minute, in time order", () => {
    const offsets = minutePath(kline).map((t) => t.offsetMs);
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets.at(-1)).toBeLessThan(60_000);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it("visits the nearer extreme first", () => {
    // open 10 is nearer the low 9 than the high 12 → open, low, high, close
    const prices = minutePath({ openTime: 0, open: 10, high: 12, low: 9, close: 11, volume: 2 }, 4).map((t) => t.price);
    expect(prices).toEqual([10, 9, 12, 11]);
  });

  it("streams nothing for a zero-volume minute", () => {
    expect(minutePath({ ...kline, volume: 0 })).toEqual([]);
  });
});
