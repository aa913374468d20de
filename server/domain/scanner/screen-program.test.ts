import { describe, expect, it } from "vitest";
import { RuleEvaluator } from "../rules/rule-evaluator.ts";
import type { RuleDocument, RuleGroup, RuleMetric, RuleNode, RuleOperator } from "../rules/rule-types.ts";
import { RULE_OPERATORS } from "../rules/rule-types.ts";
import { createScanOutput, scanCycle } from "./scan-cycle.ts";
import { CompiledScreen } from "./screen-program.ts";
import { ScannerState, metricIndex } from "./scanner-state.ts";
import { DAY, MINUTE, makeAnalytics, makeBar } from "./scanner-test-helpers.ts";

const rule = (when: RuleGroup, timeframe: RuleDocument["timeframe"] = "1h"): RuleDocument => ({ name: "screen", timeframe, when });

function names(state: ScannerState, slots: Int32Array, count: number): string[] {
  return [...slots.subarray(0, count)].map((slot) => state.symbols[slot] as string);
}

describe("CompiledScreen", () => {
  it("matches thresholds, AND/OR and metric-vs-metric on the screen's timeframe; missing values are false", () => {
    const state = new ScannerState();
    state.setSymbols(["X:C", "X:A", "X:B", "X:D"]);
    const at = DAY;
    // 1h: A rsi 25 close 110 > sma200 100; B rsi 25 close 90; C rsi 75 relVolume 3; D no analytics
    state.applyAnalytics(makeAnalytics("X:A", "1h", at, { rsi14: 25, sma200: 100 }));
    state.applyAnalytics(makeAnalytics("X:B", "1h", at, { rsi14: 25, sma200: 100 }));
    state.applyAnalytics(makeAnalytics("X:C", "1h", at, { rsi14: 75, relVolume20: 3 }));
    state.applyBar(makeBar("X:A", "1h", at, 110), "live");
    state.applyBar(makeBar("X:B", "1h", at, 90), "live");
    state.applyBar(makeBar("X:D", "1h", at, 1_000), "live");
    state.applyAnalytics(makeAnalytics("X:D", "1m", at, { rsi14: 10 })); // another timeframe
    const oversoldAboveTrend = new CompiledScreen({ id: "a", rule: rule({ all: [{ metric: "rsi14", op: "<", value: 30 }, { metric: "close", op: ">", value: { metric: "sma200" } }] }) });
    const extremes = new CompiledScreen({ id: "b", rule: rule({ any: [{ metric: "rsi14", op: "<=", value: 25 }, { all: [{ metric: "rsi14", op: ">", value: 70 }, { metric: "relVolume20", op: ">=", value: 2 }] }] }) });
    const notEqual = new CompiledScreen({ id: "c", rule: rule({ all: [{ metric: "rsi14", op: "!=", value: 25 }] }) });
    scanCycle(state, [oversoldAboveTrend, extremes, notEqual], createScanOutput(1));
    expect(names(state, oversoldAboveTrend.matches, oversoldAboveTrend.matchCount)).toEqual(["X:A"]);
    expect(names(state, extremes.matches, extremes.matchCount)).toEqual(["X:A", "X:B", "X:C"]); // symbol order
    expect(names(state, notEqual.matches, notEqual.matchCount)).toEqual(["X:C"]); // D has no 1h rsi: != is false too
  });

  it("screens read candlestick patterns (from the analytics event) and the data-quality score (same for every timeframe)", () => {
    const state = new ScannerState({ screenTimeframes: ["1h"] });
    state.setSymbols(["X:A", "X:B", "X:C"]);
    state.applyAnalytics({ ...makeAnalytics("X:A", "1h", DAY, { rsi14: 50 }), patterns: [{ name: "engulfing", value: 100 }, { name: "doji", value: 100 }] });
    state.applyAnalytics({ ...makeAnalytics("X:B", "1h", DAY, { rsi14: 50 }), patterns: [{ name: "engulfing", value: -100 }] });
    state.applyAnalytics(makeAnalytics("X:C", "1h", DAY, { rsi14: 50 })); // no patterns listed: none present
    expect(state.applyQuality("X:A", 95)).toBe(true);
    state.applyQuality("X:B", 40);
    expect(state.applyQuality("X:Z", 10)).toBe(false); // unknown symbol
    const bullish = new CompiledScreen({ id: "p", rule: rule({ all: [{ metric: "engulfing", op: ">", value: 0 }] }) });
    const anyPattern = new CompiledScreen({ id: "n", rule: rule({ all: [{ metric: "patternCount", op: ">=", value: 1 }] }) });
    const none = new CompiledScreen({ id: "z", rule: rule({ all: [{ metric: "patternCount", op: "==", value: 0 }] }) });
    const badData = new CompiledScreen({ id: "q", rule: rule({ all: [{ metric: "qualityScore", op: "<", value: 50 }] }) });
    const known = new CompiledScreen({ id: "k", rule: rule({ all: [{ metric: "qualityScore", op: ">=", value: 0 }] }) });
    scanCycle(state, [bullish, anyPattern, none, badData, known], createScanOutput(1));
    expect(names(state, bullish.matches, bullish.matchCount)).toEqual(["X:A"]);
    expect(names(state, anyPattern.matches, anyPattern.matchCount)).toEqual(["X:A", "X:B"]);
    expect(names(state, none.matches, none.matchCount)).toEqual(["X:C"]);
    expect(names(state, badData.matches, badData.matchCount)).toEqual(["X:B"]);
    expect(names(state, known.matches, known.matchCount)).toEqual(["X:A", "X:B"]); // C: no score yet
    state.applyQuality("X:B", null);
    scanCycle(state, [badData], createScanOutput(1));
    expect(badData.matchCount).toBe(0);
  });

  it("crosses_above holds for one cycle, against the previous cycle's values; false on the first cycle and after a missing value", () => {
    const state = new ScannerState({ screenTimeframes: ["1m"] });
    state.setSymbols(["X:A"]);
    const screen = new CompiledScreen({ id: "x", rule: rule({ all: [{ metric: "rsi14", op: "crosses_above", value: 30 }] }, "1m") });
    const output = createScanOutput(1);
    const run = (rsi: number | null, minute: number) => {
      state.applyAnalytics(makeAnalytics("X:A", "1m", DAY + minute * MINUTE, { rsi14: rsi }));
      scanCycle(state, [screen], output);
      return [screen.matchCount, screen.enteredCount, screen.leftCount];
    };
    expect(run(40, 0)).toEqual([0, 0, 0]); // first cycle: no previous value
    expect(run(20, 1)).toEqual([0, 0, 0]);
    expect(run(35, 2)).toEqual([1, 1, 0]); // 20 ≤ 30 and 35 > 30
    expect(run(35, 2)).toEqual([0, 0, 1]); // no new value: 35 ≤ 30 false
    expect(run(null, 3)).toEqual([0, 0, 0]);
    expect(run(50, 4)).toEqual([0, 0, 0]); // previous missing → false
    expect(run(30, 5)).toEqual([0, 0, 0]);
    expect(run(31, 6)).toEqual([1, 1, 0]); // 30 ≤ 30 and 31 > 30
  });

  it("refuses a timeframe the state does not keep", () => {
    const state = new ScannerState({ screenTimeframes: ["1m"] });
    state.setSymbols(["X:A"]);
    const screen = new CompiledScreen({ id: "d", rule: rule({ all: [{ metric: "close", op: ">", value: 1 }] }, "1d") });
    expect(() => screen.evaluate(state)).toThrow(/timeframe 1d/);
  });

  it("equals RuleEvaluator on random data: a symbol enters the screen exactly when the evaluator fires", () => {
    let seed = 12_345;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const metrics: RuleMetric[] = ["close", "rsi14", "sma20", "relVolume20", "change5"];
    const randomNode = (depth: number): RuleNode => {
      if (depth > 0 && random() < 0.35) return randomGroup(depth - 1);
      const op: RuleOperator = pick(RULE_OPERATORS);
      const value = random() < 0.4 ? { metric: pick(metrics) } : Math.floor(random() * 5);
      return { metric: pick(metrics), op, value };
    };
    const randomGroup = (depth: number): RuleGroup => {
      const children = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomNode(depth));
      return random() < 0.5 ? { all: children } : { any: children };
    };
    const symbols = Array.from({ length: 12 }, (_, index) => `X:S${index}`);
    let checkedFirings = 0;
    for (let round = 0; round < 40; round++) {
      const document = rule(randomGroup(2), "5m");
      const state = new ScannerState({ screenTimeframes: ["5m"] });
      state.setSymbols(symbols);
      const screen = new CompiledScreen({ id: "r", rule: document });
      const evaluators = symbols.map(() => new RuleEvaluator(document));
      const output = createScanOutput(1);
      for (let cycle = 0; cycle < 30; cycle++) {
        const expected: string[] = [];
        for (const [index, symbol] of symbols.entries()) {
          // small integers make ties and crosses frequent; ~15 % missing values
          const values = Object.fromEntries(metrics.map((metric) => [metric, random() < 0.15 ? null : Math.floor(random() * 5)]));
          const slot = state.slotOf(symbol);
          const columns = state.metricColumns("5m") ?? [];
          for (const metric of metrics) (columns[metricIndex(metric)] as Float64Array)[slot] = values[metric] ?? Number.NaN;
          if (evaluators[index]?.push(values)) expected.push(symbol);
        }
        scanCycle(state, [screen], output);
        expect(names(state, screen.entered, screen.enteredCount).sort()).toEqual(expected.sort());
        checkedFirings += expected.length;
      }
    }
    expect(checkedFirings).toBeGreaterThan(100);
  });

  it("screens read bar fields from the newest bar and indicators from the newest analysed bar of their timeframe", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A"]);
    state.applyBar(makeBar("X:A", "5m", DAY, 10, { volume: 7 }), "closed");
    state.applyBar(makeBar("X:A", "5m", DAY + 5 * MINUTE, 12, { volume: 3 }), "live");
    state.applyAnalytics(makeAnalytics("X:A", "5m", DAY, { ema12: 11 }));
    const screen = new CompiledScreen({ id: "e", rule: rule({ all: [{ metric: "close", op: ">", value: { metric: "ema12" } }, { metric: "volume", op: "==", value: 3 }] }, "5m") });
    screen.evaluate(state);
    expect(screen.matchCount).toBe(1);
  });
});
