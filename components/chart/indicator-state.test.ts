import { describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { computeIndicators } from "../../server/domain/indicators/indicator-batch.ts";
import { fixtureBars } from "../../server/domain/indicators/indicator-test-helpers.ts";
import { detectPatterns } from "../../server/domain/patterns/pattern-engine.ts";
import { IndicatorState } from "./indicator-state.ts";

const bars = fixtureBars().slice(0, 400);

describe("IndicatorState", () => {
  it("matches the batch computation after a history load (last bar previewed)", () => {
    const state = new IndicatorState();
    state.reset(bars);
    const batch = computeIndicators(bars);
    expect(state.values).toHaveLength(400);
    for (const index of [0, 19, 33, 199, 398, 399]) {
      expect(state.values[index]?.sma20).toBe(batch.sma20[index]);
      expect(state.values[index]?.rsi14).toBe(batch.rsi14[index]);
      expect(state.values[index]?.macdHist).toBe(batch.macdHist[index]);
      expect(state.values[index]?.vwap).toBe(batch.vwap[index]);
    }
    // Patterns only for closed candles: every bar but the open last one.
    expect(state.patterns).toHaveLength(399);
    expect(state.patterns.map((row) => row.engulfing)).toEqual(detectPatterns(bars.slice(0, 399)).engulfing);
  });

  it("previews the open bar without corrupting the state, then commits it when the next bar opens", () => {
    const state = new IndicatorState();
    state.reset(bars.slice(0, 300));
    const final = bars[300] as Bar;
    // The open bar 300 goes through wild intermediate values first.
    const spike: Bar = { ...final, high: final.high * 1.2, close: final.high * 1.19, volume: final.volume * 10 };
    expect(state.applyLast(final)).toEqual([299, 300]);
    expect(state.applyLast(spike)).toEqual([300]);
    expect(state.values[300]?.sma20).not.toBe(computeIndicators(bars.slice(0, 301)).sma20[300]);
    expect(state.applyLast(final)).toEqual([300]);
    expect(state.applyLast(bars[301] as Bar)).toEqual([300, 301]);

    const batch = computeIndicators(bars.slice(0, 302));
    for (const key of ["sma20", "ema12", "rsi14", "macd", "bbUpper", "stochK", "vwap"] as const) {
      expect(state.values[300]?.[key]).toBe(batch[key][300]);
      expect(state.values[301]?.[key]).toBe(batch[key][301]);
    }
    expect(state.patterns).toHaveLength(301);
  });

  it("asks for a recompute when a bar older than the last one arrives", () => {
    const state = new IndicatorState();
    state.reset(bars.slice(0, 50));
    expect(state.applyLast(bars[10] as Bar)).toBe("reset");
  });

  it("starts from nothing and finds bars by open time", () => {
    const state = new IndicatorState();
    state.reset([]);
    expect(state.applyLast(bars[0] as Bar)).toEqual([0]);
    expect(state.patterns).toHaveLength(0);
    state.reset(bars.slice(0, 10));
    expect(state.indexOf((bars[7] as Bar).openTime)).toBe(7);
    expect(state.indexOf((bars[7] as Bar).openTime + 1)).toBe(-1);
  });
});
