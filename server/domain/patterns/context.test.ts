/** Support/resistance, market context and the enriched candle's description. */
import { describe, expect, it } from "vitest";
import type { Bar } from "../bars/bar.ts";
import { computeIndicators } from "../indicators/indicator-batch.ts";
import type { IndicatorValues, OhlcvBar } from "../indicators/indicator-types.ts";
import { emptyIndicatorValues } from "../indicators/indicator-types.ts";
import { CandleEnricher } from "./candle-enricher.ts";
import { enrichCandle, formatPrice } from "./enriched-candle.ts";
import { computeMarketContext, regressionSlopePct } from "./market-context.ts";
import { emptyPatternValues } from "./pattern-registry.ts";
import { floorPivots, swingLevels } from "./support-resistance.ts";

const HOUR = 3_600_000;
const bar = (index: number, close: number, spread = 1): Bar => ({
  symbol: "BINANCE:BTCUSDT", timeframe: "1h", openTime: index * HOUR, open: close, high: close + spread, low: close - spread,
  close, volume: 10, trades: 1, source: "kline",
});

function lastValues(bars: readonly OhlcvBar[]): IndicatorValues {
  const series = computeIndicators(bars);
  const values = emptyIndicatorValues();
  for (const key of Object.keys(values) as (keyof IndicatorValues)[]) values[key] = series[key].at(-1) ?? null;
  return values;
}

describe("support and resistance", () => {
  it("floor pivots", () => {
    expect(floorPivots({ high: 110, low: 90, close: 100 })).toEqual({ pivot: 100, r1: 110, s1: 90, r2: 120, s2: 80, r3: 130, s3: 70 });
  });

  it("swing levels cluster confirmed pivots and split them around the close", () => {
    // a zig-zag between ~90 and ~110, ending at 100: lows near 89, highs near 111
    const closes = [100, 95, 90, 95, 100, 105, 110, 105, 100, 95, 90, 95, 100, 105, 110, 105, 100];
    const levels = swingLevels(closes.map((close, index) => bar(index, close)), { left: 2, right: 2 });
    expect(levels.supports.map((level) => [level.price, level.touches])).toEqual([[89, 2]]);
    expect(levels.resistances.map((level) => [level.price, level.touches])).toEqual([[111, 2]]);
  });

  it("never uses a pivot that later bars have not confirmed (no look-ahead)", () => {
    const closes = [100, 101, 102, 103, 104, 120];
    expect(swingLevels(closes.map((close, index) => bar(index, close)), { left: 2, right: 2 }).resistances).toEqual([]);
  });
});

describe("market context", () => {
  it("regression slope in % of the mean per bar", () => {
    expect(regressionSlopePct([99, 100, 101])).toBeCloseTo(1, 12); // slope 1 per bar on a mean of 100
  });

  it("labels a steady climb trending-up and a flat zig-zag ranging", () => {
    const climb = Array.from({ length: 120 }, (_, index) => bar(index, 100 + index));
    expect(computeMarketContext(climb.slice(-100), lastValues(climb))).toMatchObject({ regime: "trending-up", direction: "up" });
    const zigzag = Array.from({ length: 120 }, (_, index) => bar(index, 100 + (index % 2 === 0 ? 1 : -1)));
    expect(computeMarketContext(zigzag.slice(-100), lastValues(zigzag)).regime).toBe("ranging");
  });

  it("labels a sudden widening of ranges in a flat market volatile", () => {
    const calm = Array.from({ length: 110 }, (_, index) => bar(index, 100 + (index % 2 === 0 ? 0.5 : -0.5), 0.5));
    const wild = Array.from({ length: 10 }, (_, k) => bar(110 + k, 100 + (k % 2 === 0 ? 4 : -4), 5));
    const bars = [...calm, ...wild];
    expect(computeMarketContext(bars.slice(-100), lastValues(bars)).regime).toBe("volatile");
  });
});

describe("enriched candle", () => {
  it("describes the bar in one paragraph", () => {
    const indicators = { ...emptyIndicatorValues(), rsi14: 71.2, change1: 0.8, macd: 12, macdSignal: 10 };
    const previous = { ...emptyIndicatorValues(), macd: 9, macdSignal: 10 };
    const patterns = { ...emptyPatternValues(), hammer: 100 };
    const candle = enrichCandle({
      bar: { ...bar(0, 64_120.4), symbol: "BINANCE:BTCUSDT" }, closed: true, indicators, previous, patterns,
      context: { regime: "trending-up", direction: "up", trendStrength: 31.4, slopePct: 0.1, natr: 1, volatilityRatio: 1 },
      levels: { supports: [{ price: 63_500, touches: 2, lastIndex: 0 }], resistances: [{ price: 65_000, touches: 1, lastIndex: 0 }] },
    });
    expect(candle.signals).toEqual(["RSI 71 overbought", "MACD bullish crossover", "hammer"]);
    expect(candle.description).toBe(
      "BTCUSDT 1h closed at 64,120 (+0.8%), RSI 71 overbought, MACD bullish crossover, hammer; trending up (ADX 31); support 63,500, resistance 65,000.",
    );
  });

  it("formats prices by magnitude", () => {
    expect([formatPrice(64_120.4), formatPrice(1.23456), formatPrice(0.000123456)]).toEqual(["64,120", "1.23", "0.0001235"]);
  });

  it("CandleEnricher: previewing the open bar leaves the closed-bar result unchanged", () => {
    const bars = Array.from({ length: 150 }, (_, index) => bar(index, 100 + Math.sin(index / 7) * 5));
    const plain = new CandleEnricher();
    const previewed = new CandleEnricher();
    for (const item of bars) {
      const expected = plain.push(item);
      expect(previewed.preview({ ...item, close: item.close * 1.2, high: item.close * 1.2 }).closed).toBe(false);
      expect(previewed.push(item)).toEqual(expected);
    }
    expect(plain.push(bar(150, 101)).description).toMatch(/^BTCUSDT 1h closed at 101 \(/);
  });
});
