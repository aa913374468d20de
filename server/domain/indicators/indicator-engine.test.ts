/**
 * The streaming core: stream = batch exactly, previews of the still-open bar never corrupt the state,
 * and an engine rehydrated from ≥ 500 bars agrees with a full-history one.
 */
import { describe, expect, it } from "vitest";
import type { Bar } from "../bars/bar.ts";
import { computeIndicators, emptyIndicatorSeries } from "./indicator-batch.ts";
import { IndicatorEngine } from "./indicator-engine.ts";
import type { IndicatorValueKey } from "./indicator-types.ts";
import { INDICATOR_KEYS, SCANNER_KEYS } from "./indicator-types.ts";
import { fixtureBars, relativeError } from "./indicator-test-helpers.ts";

const ALL_KEYS: IndicatorValueKey[] = [...INDICATOR_KEYS, ...SCANNER_KEYS];
const bars = fixtureBars();
const batch = computeIndicators(bars);

/** How a still-open bar looks part-way through: opened at `open`, moved to `price`, some volume so far. */
function partial(bar: Bar, price: number, fraction: number): Bar {
  return { ...bar, high: Math.max(bar.open, price), low: Math.min(bar.open, price), close: price, volume: bar.volume * fraction };
}

describe("IndicatorEngine", () => {
  it("push after previews of the open bar gives exactly the batch values, and preview of the final bar equals its push", () => {
    const engine = new IndicatorEngine();
    const pushed = emptyIndicatorSeries();
    const previewed = emptyIndicatorSeries();
    for (const bar of bars) {
      engine.preview(partial(bar, bar.open, 0));
      engine.preview(partial(bar, bar.high * 1.05, 0.4)); // a spike the final bar never saw
      engine.preview(partial(bar, bar.low * 0.95, 0.7));
      const preview = engine.preview(bar);
      const push = engine.push(bar);
      for (const key of ALL_KEYS) {
        previewed[key].push(preview[key]);
        pushed[key].push(push[key]);
      }
    }
    for (const key of ALL_KEYS) {
      expect(pushed[key], key).toEqual(batch[key]);
      expect(previewed[key], `${key} (preview)`).toEqual(batch[key]);
    }
    expect(engine.count).toBe(bars.length);
  });

  it("reuses a caller-owned output record", () => {
    const engine = new IndicatorEngine();
    const out = engine.push(bars[0] as Bar);
    expect(engine.push(bars[1] as Bar, out)).toBe(out);
    expect(out.obv).toBe(batch.obv[1]);
  });

  it("refuses bars that are not after the last closed bar, and bad bars, without changing state", () => {
    const engine = new IndicatorEngine();
    const [first, second] = bars as [Bar, Bar];
    engine.push(first);
    expect(() => engine.push(first)).toThrow(/not after the last closed bar/);
    expect(() => engine.preview({ ...first, openTime: first.openTime - 1 })).toThrow(RangeError);
    expect(() => engine.push({ ...second, high: second.low - 1 })).toThrow(/high .* < low/);
    expect(() => engine.push({ ...second, close: Number.NaN })).toThrow(/non-finite/);
    expect(() => engine.push({ ...second, volume: -1 })).toThrow(/negative volume/);
    expect(engine.push(second).obv).toBe(batch.obv[1]);
  });

  it("rehydrated from the last 500 bars, agrees with the full-history engine to 1e-6 (INDICATORS.md)", () => {
    const start = bars.length - 1000;
    const rehydrated = new IndicatorEngine();
    // VWAP and OBV are path-dependent from their start: sessions re-align, OBV differs by a constant
    const pathDependent = new Set<IndicatorValueKey>(["obv"]);
    for (const bar of bars.slice(start - 500, start)) rehydrated.push(bar);
    for (let index = start; index < bars.length; index++) {
      const values = rehydrated.push(bars[index] as Bar);
      for (const key of ALL_KEYS) {
        if (pathDependent.has(key)) continue;
        const expected = batch[key][index] ?? null;
        const actual = values[key];
        if (expected === null || actual === null) expect(actual, `${key}[${index}]`).toBe(expected);
        else expect(relativeError(actual, expected), `${key}[${index}]`).toBeLessThanOrEqual(1e-6);
      }
    }
  });
});

describe("IndicatorEngine snapshots", () => {
  it("serialize → JSON → restore continues exactly like the original", () => {
    const original = new IndicatorEngine();
    for (const bar of bars.slice(0, 3000)) original.push(bar);
    const text = JSON.stringify(original.serialize());
    expect(text.length).toBeLessThan(20_000);
    const restored = IndicatorEngine.restore(JSON.parse(text) as ReturnType<IndicatorEngine["serialize"]>);
    expect(restored.count).toBe(3000);
    for (let index = 3000; index < 3500; index++) {
      const values = restored.push(bars[index] as Bar);
      for (const key of ALL_KEYS) expect(values[key], `${key}[${index}]`).toBe(batch[key][index]);
    }
  });

  it("a fresh engine round-trips (−Infinity last time, no session yet) and refuses other versions", () => {
    const snapshot = JSON.parse(JSON.stringify(new IndicatorEngine().serialize())) as ReturnType<IndicatorEngine["serialize"]>;
    expect(IndicatorEngine.restore(snapshot).push(bars[0] as Bar).obv).toBe(batch.obv[0]);
    expect(() => IndicatorEngine.restore({ ...snapshot, version: 99 })).toThrow(/snapshot version 99/);
    expect(() => IndicatorEngine.restore({ ...snapshot, state: { ...snapshot.state, extra: 1 } })).toThrow(/IndicatorEngine\.extra does not exist/);
  });
});
