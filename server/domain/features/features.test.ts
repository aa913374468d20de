/** Feature set v1: row shape and version, warm-ups, formulas, no look-ahead, streaming = batch, the 0–1 vector. */
import { describe, expect, it } from "vitest";
import type { Bar } from "../bars/bar.ts";
import { computeIndicators } from "../indicators/indicator-batch.ts";
import { fixtureBars } from "../indicators/indicator-test-helpers.ts";
import { FeatureEngineV1, computeFeaturesV1 } from "./feature-engine-v1.ts";
import { FEATURES_V1, FEATURE_NAMES_V1, FEATURE_SET_V1 } from "./feature-set-v1.ts";
import { FEATURE_VECTOR_V1, toFeatureVectorV1 } from "./feature-vector-v1.ts";

const bars = fixtureBars();
const rows = computeFeaturesV1(bars);
const at = (index: number): Bar => bars[index] as Bar;

describe("feature set v1", () => {
  it("has one row per bar, each with the version, the open time and exactly the v1 features in order", () => {
    expect(rows).toHaveLength(bars.length);
    rows.forEach((row, index) => {
      expect(row.featureSet).toBe(FEATURE_SET_V1);
      expect(row.openTime).toBe(at(index).openTime);
    });
    expect(Object.keys(rows[0] ?? {})).toEqual(["featureSet", "openTime", ...FEATURE_NAMES_V1]);
  });

  it.each(FEATURES_V1.map((feature) => [feature.name, feature.warmup] as const))("%s starts at its declared warm-up %i", (name, warmup) => {
    expect(rows.findIndex((row) => row[name] !== null)).toBe(warmup);
  });

  it("computes the documented formulas", () => {
    const t = 1000;
    const row = rows[t];
    const [bar, previous, fifth, tenth] = [at(t), at(t - 1), at(t - 5), at(t - 10)];
    const indicators = computeIndicators(bars);
    expect(row?.return1).toBeCloseTo(bar.close / previous.close - 1, 15);
    expect(row?.return5).toBeCloseTo(bar.close / fifth.close - 1, 15);
    expect(row?.logReturn10).toBeCloseTo(Math.log(bar.close / tenth.close), 15);
    expect(row?.momentum10).toBeCloseTo(bar.close - tenth.close, 9);
    const returns = [4, 3, 2, 1, 0].map((k) => at(t - k).close / at(t - k - 1).close - 1);
    const mean = returns.reduce((sum, value) => sum + value, 0) / 5;
    const sampleStd = Math.sqrt(returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 4);
    expect(row?.volatility5).toBeCloseTo(sampleStd, 15);
    expect(row?.rangeRatio).toBeCloseTo((bar.high - bar.low) / bar.close, 15);
    expect(row?.volumeChange1).toBeCloseTo(bar.volume / previous.volume - 1, 12);
    expect(row?.volumeRatio20).toBe(indicators.relVolume20[t]);
    expect(row?.distSma200).toBeCloseTo(bar.close / (indicators.sma200[t] ?? 0) - 1, 15);
    expect(row?.aboveSma50).toBe(bar.close > (indicators.sma50[t] ?? 0) ? 1 : 0);
    expect(row?.rsi14).toBe(indicators.rsi14[t]);
    const vpt = bars.slice(1, t + 1).reduce((sum, item, k) => sum + (item.volume * (item.close - at(k).close)) / at(k).close, 0);
    expect(row?.volumePriceTrend).toBeCloseTo(vpt, 6);
  });

  it("hour and day of week are UTC; isMarketOpen comes from the caller's calendar", () => {
    expect([rows[0]?.hour, rows[0]?.dayOfWeek]).toEqual([0, 2]); // 2020-12-01T00:00Z, a Tuesday
    expect(rows[29]?.hour).toBe(5); // 29 h later (no gap before 2020-12-21): 2020-12-02T05:00Z
    expect(rows.every((row) => row.isMarketOpen === 1)).toBe(true);
    const weekdaysOnly = computeFeaturesV1(bars.slice(0, 200), { isMarketOpen: (time) => ![0, 6].includes(new Date(time).getUTCDay()) });
    expect(weekdaysOnly.filter((row) => row.isMarketOpen === 0).every((row) => row.dayOfWeek === 0 || row.dayOfWeek === 6)).toBe(true);
    expect(weekdaysOnly.some((row) => row.isMarketOpen === 0)).toBe(true);
  });

  it("has no look-ahead: bar t's features are the same when the input ends at t, or when later bars change", () => {
    for (const t of [0, 33, 250, 1999, 4321, bars.length - 2]) {
      expect(computeFeaturesV1(bars.slice(0, t + 1)).at(-1), `truncated at ${t}`).toEqual(rows[t]);
    }
    const t = 3000;
    const future = bars.map((bar, index) => (index > t ? { ...bar, close: bar.close * 2, high: bar.high * 2, volume: 0 } : bar));
    expect(computeFeaturesV1(future).slice(0, t + 1)).toEqual(rows.slice(0, t + 1));
  });

  it("streaming with previews of the open bar gives the batch rows", () => {
    const engine = new FeatureEngineV1();
    bars.slice(0, 800).forEach((bar, index) => {
      engine.preview({ ...bar, close: bar.open, high: bar.open, low: bar.open, volume: 0 });
      const previewed = engine.preview(bar);
      expect(engine.push(bar)).toEqual(rows[index]);
      expect(previewed).toEqual(rows[index]);
    });
  });
});

describe("feature vector v1", () => {
  it("maps every row into [0, 1], with 0.5 for missing values", () => {
    for (const row of [rows[0], rows[300], rows[5000]]) {
      const vector = toFeatureVectorV1(row ?? rows[0]!);
      expect(vector).toHaveLength(FEATURE_VECTOR_V1.length);
      for (const value of vector) expect(value >= 0 && value <= 1).toBe(true);
    }
    const first = toFeatureVectorV1(rows[0]!);
    expect(first[FEATURE_VECTOR_V1.findIndex((component) => component.name === "rsi14")]).toBe(0.5);
  });

  it("keeps the ordering of a feature (monotone transforms)", () => {
    const index = FEATURE_VECTOR_V1.findIndex((component) => component.name === "return1");
    const up = toFeatureVectorV1({ ...rows[300]!, return1: 0.01 })[index] ?? 0;
    const down = toFeatureVectorV1({ ...rows[300]!, return1: -0.01 })[index] ?? 0;
    expect(up).toBeGreaterThan(0.5);
    expect(down).toBeLessThan(0.5);
  });
});
