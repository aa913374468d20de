import { describe, expect, it } from "vitest";
import { DirectionalMovementState } from "./adx.ts";
import { AtrState, trueRange } from "./atr.ts";
import { RsiState } from "./rsi.ts";
import { StochasticState, WilliamsRState } from "./stochastic.ts";

describe("RSI", () => {
  it("seeds with plain means, then smooths à la Wilder", () => {
    const rsi = new RsiState(2);
    const values = [10, 11, 10.5, 12].map((close) => rsi.update(close, true));
    expect(values[0]).toBeNull();
    expect(values[1]).toBeNull();
    expect(values[2]).toBeCloseTo(200 / 3, 12); // gains (1+0)/2 = 0.5, losses (0+0.5)/2 = 0.25 → 100·0.5/0.75
    expect(values[3]).toBeCloseTo(800 / 9, 12); // gain (0.5+1.5)/2 = 1, loss 0.25/2 = 0.125 → 100/1.125
  });

  it("is 0 on a flat series (no gain, no loss), as TA-Lib", () => {
    const rsi = new RsiState(3);
    expect([7, 7, 7, 7, 7].map((close) => rsi.update(close, true))).toEqual([null, null, null, 0, 0]);
  });
});

describe("ATR", () => {
  it("takes the largest of the range and the gaps from the previous close", () => {
    expect(trueRange(105, 100, 107)).toBe(7);
    expect(trueRange(105, 100, 102)).toBe(5);
  });

  it("is seeded with mean(TR₁..TR_period)", () => {
    const atr = new AtrState(2);
    const values = [[10, 8, 9], [11, 9, 10], [12, 9, 11], [12, 11, 12]].map(([h, l, c]) => atr.update(h ?? 0, l ?? 0, c ?? 0, true));
    // TR₁ = 2, TR₂ = 3 → 2.5; TR₃ = max(1, 1, 0) = 1 → (2.5·1 + 1)/2 = 1.75
    expect(values).toEqual([null, null, 2.5, 1.75]);
  });
});

describe("ADX, +DI, −DI", () => {
  it("read a clean uptrend as +DI 10 (1-point steps over a 10-point range), −DI 0, ADX 100", () => {
    const dm = new DirectionalMovementState(14);
    const firsts: { di: number; adx: number } = { di: -1, adx: -1 };
    for (let index = 0; index < 40; index++) {
      dm.update(100 + index, 90 + index, 95 + index, true);
      if (dm.plusDi !== null && firsts.di < 0) firsts.di = index;
      if (dm.adx !== null && firsts.adx < 0) firsts.adx = index;
    }
    expect(firsts).toEqual({ di: 14, adx: 27 });
    expect(dm.plusDi).toBeCloseTo(10, 9);
    expect(dm.minusDi).toBe(0);
    expect(dm.adx).toBeCloseTo(100, 9);
  });
});

describe("Stochastic and Williams %R", () => {
  it("Williams %R = −100·(HH − C)/(HH − LL)", () => {
    const willr = new WilliamsRState(2);
    expect(willr.update(10, 8, 9, true)).toBeNull();
    expect(willr.update(12, 9, 11, true)).toBe(-25); // HH 12, LL 8 → −100·1/4
  });

  it("Stochastic is 0 on a flat window (HH = LL) and starts at index 17 for (14, 3, 3)", () => {
    const stoch = new StochasticState();
    const ks: (number | null)[] = [];
    for (let index = 0; index < 20; index++) {
      stoch.update(5, 5, 5, true);
      ks.push(stoch.k);
    }
    expect(ks.findIndex((value) => value !== null)).toBe(17);
    expect(stoch.k).toBe(0);
    expect(stoch.d).toBe(0);
  });

  it("closing at the top of the window gives %K = %D = 100", () => {
    const stoch = new StochasticState(3, 1, 1);
    [[10, 8, 9], [11, 9, 10], [12, 10, 12]].forEach(([h, l, c]) => stoch.update(h ?? 0, l ?? 0, c ?? 0, true));
    expect([stoch.k, stoch.d]).toEqual([100, 100]); // (12 − 8)/((12 − 8)/100)
  });
});
