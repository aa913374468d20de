import { describe, expect, it } from "vitest";
import { PatternEngine, detectPatterns } from "../patterns/pattern-engine.ts";
import { PATTERN_NAMES, emptyPatternValues } from "../patterns/pattern-registry.ts";
import { evaluateRule } from "./rule-evaluator.ts";
import { replayRule, ruleSeriesFor } from "./rule-replay.ts";
import { parseRuleDocument } from "./rule-schema.ts";
import { patternRuleSeries, patternRuleValues, presentPatternRuleValues } from "./rule-values.ts";
import type { RuleDocument } from "./rule-types.ts";

/** Bars with these closes (open = previous close, wicks of 1). */
const barsOf = (closes: readonly number[]) =>
  closes.map((close, index) => {
    const open = index === 0 ? close : closes[index - 1]!;
    return { openTime: index * 3_600_000, open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close, volume: 10 };
  });
const bars = barsOf([100, 104, 100, 105, 103, 99, 104, 106, 102, 98, 103, 101, 97, 96, 100]);

describe("pattern metrics", () => {
  it("patternRuleValues: each pattern's value, patternCount = patterns present; no value before every lookback", () => {
    expect(patternRuleValues(null).patternCount).toBeNull();
    expect(patternRuleValues(emptyPatternValues()).patternCount).toBeNull(); // every pattern still warming up
    const values = patternRuleValues({ ...emptyPatternValues(), engulfing: -100, doji: 0, hammer: 100 });
    expect(values).toMatchObject({ engulfing: -100, doji: 0, hammer: 100, harami: null, patternCount: 2 });
  });

  it("presentPatternRuleValues: listed patterns keep their value, others are 0, unknown names are ignored", () => {
    const values = presentPatternRuleValues([{ name: "hammer", value: 100 }, { name: "nonsense", value: 100 }]);
    expect(values.hammer).toBe(100);
    expect(values.engulfing).toBe(0);
    expect(values.patternCount).toBe(1);
    expect(Object.keys(values)).toHaveLength(PATTERN_NAMES.length + 1);
  });

  it("stored form and engine form agree on every bar once past the lookbacks (what the alert engine reads after a restart)", () => {
    const engine = new PatternEngine();
    for (const bar of bars) {
      const full = patternRuleValues(engine.push(bar));
      const present = PATTERN_NAMES.filter((name) => full[name]).map((name) => ({ name, value: full[name]! }));
      const stored = presentPatternRuleValues(present);
      for (const name of PATTERN_NAMES) if (full[name] !== null) expect(stored[name]).toBe(full[name]);
      if (full.patternCount !== null) expect(stored.patternCount).toBe(full.patternCount);
    }
  });

  it("patternRuleSeries counts the patterns of each bar; evaluateRule on `engulfing > 0` fires where it appears", () => {
    const series = patternRuleSeries(detectPatterns(bars));
    for (let i = 0; i < bars.length; i++) {
      const present = PATTERN_NAMES.filter((name) => (series[name][i] ?? 0) !== 0).length;
      const known = PATTERN_NAMES.some((name) => series[name][i] !== null);
      expect(series.patternCount[i]).toBe(known ? present : null);
    }
    const rule: RuleDocument = { name: "bull", timeframe: "1h", when: { all: [{ metric: "engulfing", op: ">", value: 0 }] } };
    const appears = bars.flatMap((_, i) => ((series.engulfing[i] ?? 0) > 0 && !((series.engulfing[i - 1] ?? 0) > 0) ? [i] : []));
    expect(appears.length).toBeGreaterThan(1);
    expect(evaluateRule(rule, bars, series)).toEqual(appears);
  });
});

describe("quality metric and replay", () => {
  const rule = parseRuleDocument({ name: "q", timeframe: "1h", when: { all: [{ metric: "qualityScore", op: "crosses_below", value: 50 }] } });

  it("without a quality series a condition on it is false; with one it is evaluated like any metric", () => {
    expect(evaluateRule(rule, bars.slice(0, 4), {})).toEqual([]);
    expect(evaluateRule(rule, bars.slice(0, 4), { qualityScore: [90, 40, 45, 30] })).toEqual([1]);
  });

  it("replayRule prints close and each metric read; ruleSeriesFor computes only what the rule reads", () => {
    const lines = replayRule(rule, bars.slice(0, 4), ruleSeriesFor(rule, bars.slice(0, 4), [90, 40, null, 30]));
    expect(lines).toEqual([{ openTime: 3_600_000, close: 104, qualityScore: 40 }]);
    expect(Object.keys(ruleSeriesFor(rule, bars))).toEqual([]);
    const both = parseRuleDocument({ name: "b", timeframe: "1h", when: { all: [{ metric: "hammer", op: "!=", value: 0 }, { metric: "rsi14", op: "<", value: 30 }] } });
    expect(Object.keys(ruleSeriesFor(both, bars))).toEqual(expect.arrayContaining(["rsi14", "hammer", "patternCount"]));
  });

  it("a missing pattern series is a programming error, not a silent false", () => {
    const pattern = parseRuleDocument({ name: "p", timeframe: "1h", when: { all: [{ metric: "doji", op: "!=", value: 0 }] } });
    expect(() => evaluateRule(pattern, bars, {})).toThrow(/series doji has no values/);
  });
});
