import { describe, expect, it } from "vitest";
import { BollingerState } from "./bollinger.ts";
import { MacdState } from "./macd.ts";
import { EmaState, SmaState, ema, sma } from "./moving-average.ts";

describe("SMA", () => {
  it("is the mean of the last `period` inputs, null before", () => {
    expect(sma([1, 2, 3, 4], 2)).toEqual([null, 1.5, 2.5, 3.5]); // (1+2)/2, (2+3)/2, (3+4)/2
    expect(sma([5, 7], 1)).toEqual([5, 7]);
  });

  it("preview (commit = false) leaves the state as it was", () => {
    const state = new SmaState(3);
    state.update(1, true);
    state.update(2, true);
    expect(state.update(100, false)).toBe(103 / 3);
    expect(state.update(3, true)).toBe(2); // (1+2+3)/3, unaffected by the preview
    expect(state.update(7, true)).toBe(4); // (2+3+7)/3
  });

  it("refuses a bad period", () => {
    expect(() => new SmaState(0)).toThrow(RangeError);
    expect(() => new EmaState(2.5)).toThrow(RangeError);
  });
});

describe("EMA", () => {
  it("is seeded with the SMA of the first `period` inputs, then k = 2/(period+1)", () => {
    expect(ema([1, 2, 3, 5], 3)).toEqual([null, null, 2, 3.5]); // seed (1+2+3)/3 = 2; (5 − 2)·0.5 + 2
  });
});

describe("MACD", () => {
  it("starts at index 33 with the fast EMA seeded from closes 14..25", () => {
    const closes = Array.from({ length: 40 }, (_, index) => 100 + index * index * 0.1);
    const state = new MacdState();
    const macd = closes.map((close) => (state.update(close, true), state.macd));
    expect(macd.findIndex((value) => value !== null)).toBe(33);
    const fast = ema(closes.slice(14), 12); // fast EMA on closes[14..]: index 25 ↔ offset 11
    const slow = ema(closes, 26);
    expect(macd[33]).toBeCloseTo((fast[33 - 14] ?? 0) - (slow[33] ?? 0), 12);
  });
});

describe("Bollinger Bands", () => {
  it("use the population σ of the window", () => {
    const bands = new BollingerState(3, 2);
    [1, 2, 3].forEach((x) => bands.update(x, true));
    const sigma = Math.sqrt(14 / 3 - 4); // mean(x²) − mean² = 0.6667 → 0.8165
    expect(bands.middle).toBe(2);
    expect(bands.upper).toBeCloseTo(2 + 2 * sigma, 12);
    expect(bands.lower).toBeCloseTo(2 - 2 * sigma, 12);
  });

  it("collapse onto the middle when the window is flat", () => {
    const bands = new BollingerState(3, 2);
    [5, 5, 5].forEach((x) => bands.update(x, true));
    expect([bands.lower, bands.middle, bands.upper]).toEqual([5, 5, 5]);
  });
});
