/**
 * TA-Lib CDL parity: every pattern equals TA-Lib's output (golden/talib-cdl-btcusdt-1h.json, written by
 * scripts/golden/talib-golden.mjs) at every index from TA-Lib's first index, on the real BTC/USDT 1h fixture
 * and on the stored synthetic gapped series (where the gap patterns actually occur).
 */
import { describe, expect, it } from "vitest";
import type { Bar } from "../bars/bar.ts";
import type { PatternGoldenEntry } from "../indicators/indicator-test-helpers.ts";
import { fixtureBars, patternGolden, rowsToBars } from "../indicators/indicator-test-helpers.ts";
import { PatternEngine, detectPatterns } from "./pattern-engine.ts";
import { PATTERNS } from "./pattern-registry.ts";

const golden = patternGolden();
const synthetic = golden.synthetic;
if (!synthetic) throw new Error("golden file without the synthetic series: re-run scripts/golden/talib-golden.mjs");
const sets = [
  { name: "BTC/USDT 1h fixture", bars: fixtureBars(), patterns: golden.patterns, gapped: false },
  { name: "synthetic gapped series", bars: rowsToBars(synthetic.candles), patterns: synthetic.patterns, gapped: true },
];

/** Share of indexes from TA-Lib's first index on where our value equals TA-Lib's. */
function agreement(ours: (number | null)[], reference: PatternGoldenEntry): { rate: number; mismatches: string[] } {
  const expected = new Map(reference.nonZero);
  const mismatches: string[] = [];
  for (let index = reference.begIndex; index < ours.length; index++) {
    const want = expected.get(index) ?? 0;
    if (ours[index] !== want) mismatches.push(`${index}: ${ours[index]} ≠ ${want}`);
  }
  return { rate: 1 - mismatches.length / (ours.length - reference.begIndex), mismatches };
}

describe.each(sets)("TA-Lib CDL parity on the $name", ({ bars, patterns, gapped }) => {
  const series = detectPatterns(bars);

  it.each(PATTERNS.map((pattern) => [pattern.talib, pattern] as const))("%s: same first index, 100% agreement", (_talib, pattern) => {
    const reference = patterns[pattern.talib];
    if (!reference) throw new Error(`${pattern.talib} missing from the golden file`);
    const ours = series[pattern.name];
    expect(ours.findIndex((value) => value !== null)).toBe(reference.begIndex);
    expect(reference.begIndex).toBe(pattern.lookback);
    const { rate, mismatches } = agreement(ours, reference);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(rate).toBe(1);
  });

});

describe("the gapped synthetic series", () => {
  it("has the gap patterns, so their 100% agreement means something", () => {
    const gappedSet = sets.find((set) => set.gapped);
    if (!gappedSet) throw new Error("no gapped series in the golden file");
    for (const talib of ["CDLPIERCING", "CDLDARKCLOUDCOVER", "CDL3BLACKCROWS"]) expect(gappedSet.patterns[talib]?.nonZero.length).toBeGreaterThan(5);
  });
});

describe("PatternEngine", () => {
  it("previews of the open bar do not change what the closed bar gives", () => {
    const bars = fixtureBars().slice(0, 600);
    const batch = detectPatterns(bars);
    const engine = new PatternEngine();
    bars.forEach((bar, index) => {
      const spike: Bar = { ...bar, high: bar.high * 1.1, close: bar.high * 1.1 };
      engine.preview(spike);
      const previewed = engine.preview(bar);
      const pushed = engine.push(bar);
      for (const pattern of PATTERNS) {
        expect(pushed[pattern.name], `${pattern.name}[${index}]`).toBe(batch[pattern.name][index]);
        expect(previewed[pattern.name]).toBe(pushed[pattern.name]);
      }
    });
  });
});
