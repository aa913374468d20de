/**
 * TA-Lib parity on real data: every series equals TA-Lib (golden/talib-btcusdt-1h.json, written by
 * scripts/golden/talib-golden.mjs) within 1e-6 relative at every index from TA-Lib's first index on,
 * and is null before it.
 */
import { describe, expect, it } from "vitest";
import { computeIndicatorColumns, computeIndicators } from "./indicator-batch.ts";
import { INDICATOR_KEYS, INDICATOR_WARMUP } from "./indicator-types.ts";
import { fixtureBars, indicatorGolden, relativeError } from "./indicator-test-helpers.ts";

const TOLERANCE = 1e-6;
const bars = fixtureBars();
const golden = indicatorGolden();
const series = computeIndicators(bars);

describe("TA-Lib parity on BTC/USDT 1h (5,482 candles)", () => {
  it("uses the fixture the golden file was made from", () => {
    expect(golden.fixture.candles).toBe(bars.length);
    expect(golden.reference).toMatch(/TA-Lib C 0\.6/);
  });

  it.each(INDICATOR_KEYS)("%s: same first index as TA-Lib, within 1e-6 relative everywhere after", (key) => {
    const ours = series[key];
    const reference = golden.series[key];
    expect(ours).toHaveLength(bars.length);
    expect(ours.findIndex((value) => value !== null)).toBe(reference.begIndex);
    expect(reference.begIndex).toBe(INDICATOR_WARMUP[key]);
    let worst = 0;
    reference.values.forEach((expected, offset) => {
      const actual = ours[reference.begIndex + offset];
      if (expected === null || actual === null || actual === undefined) {
        expect(actual, `${key}[${reference.begIndex + offset}]`).toBe(expected);
        return;
      }
      worst = Math.max(worst, relativeError(actual, expected));
    });
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });

  it("the Float64Array batch path holds the same numbers (NaN for null)", () => {
    const columns = computeIndicatorColumns(bars);
    for (const key of INDICATOR_KEYS) {
      const asNullable = Array.from(columns[key], (value) => (Number.isNaN(value) ? null : value));
      expect(asNullable, key).toEqual(series[key]);
    }
  });
});
