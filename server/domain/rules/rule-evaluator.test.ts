import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { computeIndicators } from "../indicators/indicator-batch.ts";
import { IndicatorEngine } from "../indicators/indicator-engine.ts";
import type { OhlcvBar } from "../indicators/indicator-types.ts";
import { RuleEvaluator, evaluateRule } from "./rule-evaluator.ts";
import { macdBearishCrossover, macdBullishCrossover, rsiBelow, volumeSpike } from "./rule-presets.ts";
import type { RuleBarValues, RuleDocument, RuleGroup, RuleOperator } from "./rule-types.ts";

function rule(when: RuleGroup, extra: Partial<RuleDocument> = {}): RuleDocument {
  return { name: "test", timeframe: "1h", when, ...extra };
}

/** Indices on which the streaming evaluator fires. */
function fired(document: RuleDocument, rows: readonly RuleBarValues[]): number[] {
  const evaluator = new RuleEvaluator(document);
  return rows.flatMap((row, index) => (evaluator.push(row) ? [index] : []));
}

const closes = (...values: (number | null)[]): RuleBarValues[] => values.map((close) => ({ close }));
const closeRule = (op: RuleOperator, value: number, extra: Partial<RuleDocument> = {}) => rule({ all: [{ metric: "close", op, value }] }, extra);

describe("operators (close = 1, 2, 2, 3, 1 against 2)", () => {
  const series = closes(1, 2, 2, 3, 1);
  it.each<[RuleOperator, number[]]>([
    [">", [3]], // truth F F F T F
    ["<", [0, 4]], // T F F F T: true on the first bar counts as becoming true
    [">=", [1]], // F T T T F: staying true does not fire again
    ["<=", [0, 4]], // T T T F T
    ["==", [1]], // F T T F F
    ["!=", [0, 3]], // T F F T T
    ["crosses_above", [3]], // bar 1: 1≤2 but 2>2 false; bar 2: 2≤2 but 2>2 false; bar 3: 2≤2 and 3>2
    ["crosses_below", [4]], // bar 4: 3≥2 and 1<2
  ])("%s fires on %j", (op, expected) => {
    expect(fired(closeRule(op, 2), series)).toEqual(expected);
  });

  it("crosses_below on equal values: 3, 2, 1 crosses below 2 on bar 2 (2 ≥ 2 then 1 < 2), not on bar 1 (2 < 2 false)", () => {
    expect(fired(closeRule("crosses_below", 2), closes(3, 2, 1))).toEqual([2]);
  });

  it("crosses are false on the first bar even when the level is on the other side", () => {
    expect(fired(closeRule("crosses_above", 2), closes(5))).toEqual([]);
    expect(fired(closeRule("crosses_below", 2), closes(1))).toEqual([]);
  });

  it("== and != compare exactly (0.1 + 0.2 is not 0.3)", () => {
    expect(fired(closeRule("==", 0.3), closes(0.1 + 0.2))).toEqual([]);
    expect(fired(closeRule("!=", 0.3), closes(0.1 + 0.2))).toEqual([0]);
  });
});

describe("warm-up (null, missing or NaN values)", () => {
  const rsi = (...values: (number | null)[]): RuleBarValues[] => values.map((rsi14) => ({ rsi14 }));
  const rsiRule = (op: RuleOperator, value: number) => rule({ all: [{ metric: "rsi14", op, value }] });

  it("a condition on a metric without a value is false, for every operator", () => {
    for (const op of ["<", ">", "<=", ">=", "==", "!="] as const) expect(fired(rsiRule(op, 50), rsi(null, null))).toEqual([]);
    expect(fired(rsiRule("<", 30), rsi(null, null, 20, 25))).toEqual([2]);
    expect(fired(rsiRule("!=", 50), rsi(null, 40))).toEqual([1]);
    expect(fired(rsiRule("<", 30), [{}, { rsi14: Number.NaN }, { rsi14: 10 }])).toEqual([2]);
  });

  it("a cross needs both sides on the previous bar", () => {
    expect(fired(rsiRule("crosses_below", 30), rsi(null, 35, 25))).toEqual([2]); // bar 2: 35 ≥ 30, 25 < 30
    expect(fired(rsiRule("crosses_below", 30), rsi(40, null, 25))).toEqual([]); // bar 2: previous value missing
    const macdRule = rule({ all: [{ metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }] });
    expect(fired(macdRule, [{ macd: -1, macdSignal: null }, { macd: 1, macdSignal: 0 }])).toEqual([]);
  });
});

describe("firing: becoming true, cooldown, oneTime", () => {
  it("fires when the condition becomes true, not while it stays true", () => {
    expect(fired(closeRule(">", 2), closes(3, 3, 3, 1, 3))).toEqual([0, 4]);
  });

  it("cooldown drops a becoming-true inside it; it is not deferred to a later bar where the condition still holds", () => {
    // truth T F T T T F: becoming true on 0 and 2; a firing on 0 blocks 1..2, so 2 is dropped and 3, 4 only stay true
    expect(fired(closeRule(">", 2, { cooldownBars: 2 }), closes(3, 1, 3, 3, 3, 1))).toEqual([0]);
    // truth T F T F T F: becoming true on 0, 2, 4; 2 is inside the cooldown (< 0 + 2 + 1), 4 is not
    expect(fired(closeRule(">", 2, { cooldownBars: 2 }), closes(3, 1, 3, 1, 3, 1))).toEqual([0, 4]);
  });

  it("the first bar after the cooldown (i + cooldownBars + 1) may fire; cooldown 0 blocks nothing", () => {
    expect(fired(closeRule(">", 2, { cooldownBars: 2 }), closes(3, 1, 1, 3))).toEqual([0, 3]);
    expect(fired(closeRule(">", 2, { cooldownBars: 0 }), closes(3, 1, 3, 1, 3))).toEqual([0, 2, 4]);
  });

  it("oneTime stops after the first firing", () => {
    expect(fired(closeRule(">", 2, { oneTime: true }), closes(1, 3, 1, 3, 1, 3))).toEqual([1]);
    const evaluator = new RuleEvaluator(closeRule(">", 2, { oneTime: true }));
    for (const row of closes(3, 1, 3)) evaluator.push(row);
    expect([evaluator.barCount, evaluator.lastFiredIndex]).toEqual([3, 0]);
  });
});

describe("groups and metric-vs-metric", () => {
  it("nested all/any", () => {
    const nested = rule({ all: [{ metric: "close", op: ">", value: 2 }, { any: [{ metric: "volume", op: ">", value: 100 }, { metric: "rsi14", op: "<", value: 30 }] }] });
    const rows: RuleBarValues[] = [
      { close: 3, volume: 50, rsi14: 40 }, // any false → false
      { close: 3, volume: 150, rsi14: 40 }, // true, becomes true → fires
      { close: 3, volume: 50, rsi14: 20 }, // true, stays true
      { close: 1, volume: 150, rsi14: 20 }, // close false → false
      { close: 3, volume: 50, rsi14: null }, // rsi has no value, volume false → false
      { close: 3, volume: 50, rsi14: 25 }, // true again → fires
    ];
    expect(fired(nested, rows)).toEqual([1, 5]);
    const anyOfAll = rule({ any: [{ all: [{ metric: "close", op: ">", value: 2 }, { metric: "volume", op: ">", value: 100 }] }, { metric: "rsi14", op: "<", value: 30 }] });
    // row 0: (3>2 ∧ 50>100) ∨ 40<30 = F; rows 1, 2, 3: T (row 3 through rsi 20 < 30 alone); row 4: F; row 5: T
    expect(fired(anyOfAll, rows)).toEqual([1, 5]);
    expect(fired(anyOfAll, rows.slice(3))).toEqual([0, 2]); // the same rows from row 3: T F T
  });

  it("compares against another metric of the same bar", () => {
    const above = rule({ all: [{ metric: "close", op: ">", value: { metric: "sma20" } }] });
    // close 10 10 12 9 vs sma20 null 11 11 10 → F F T F
    expect(fired(above, [{ close: 10, sma20: null }, { close: 10, sma20: 11 }, { close: 12, sma20: 11 }, { close: 9, sma20: 10 }])).toEqual([2]);
    const macd: RuleBarValues[] = [{ macd: -1, macdSignal: 0 }, { macd: 0, macdSignal: 0 }, { macd: 0.5, macdSignal: 0.1 }, { macd: 0.2, macdSignal: 0.3 }];
    // bar 1: −1 ≤ 0 but 0 > 0 false; bar 2: 0 ≤ 0 and 0.5 > 0.1; bar 3: 0.5 ≥ 0.1 and 0.2 < 0.3
    expect(fired(rule({ all: [{ metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }] }), macd)).toEqual([2]);
    expect(fired(rule({ all: [{ metric: "macd", op: "crosses_below", value: { metric: "macdSignal" } }] }), macd)).toEqual([3]);
  });
});

describe("evaluateRule (batch) on the BTC/USDT 1h fixture", () => {
  const rows = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../../fixtures/ohlcv/binance_BTC_USDT-1h.json"), "utf8")) as number[][];
  const bars: OhlcvBar[] = rows.map(([openTime, open, high, low, close, volume]) => ({ openTime, open, high, low, close, volume }) as OhlcvBar);
  const series = computeIndicators(bars);
  const rules: RuleDocument[] = [
    rsiBelow(30, { timeframe: "1h", cooldownBars: 5 }),
    macdBullishCrossover({ timeframe: "1h" }),
    macdBearishCrossover({ timeframe: "1h", oneTime: true }),
    volumeSpike(3, { timeframe: "1h", cooldownBars: 24 }),
    rule({ any: [{ all: [{ metric: "close", op: "crosses_above", value: { metric: "sma200" } }, { metric: "rsi14", op: ">=", value: 50 }] }, { metric: "change15", op: "<=", value: -3 }] }),
  ];

  it.each(rules.map((document) => [document.name, document] as const))("%s: batch equals the streaming evaluator fed by the streaming indicator engine", (_, document) => {
    const engine = new IndicatorEngine();
    const evaluator = new RuleEvaluator(document);
    const streamed = bars.flatMap((bar, index) => (evaluator.push({ ...bar, ...engine.push(bar) }) ? [index] : []));
    const batch = evaluateRule(document, bars, series);
    expect(batch).toEqual(streamed);
    expect(batch.length).toBeGreaterThan(0);
  });

  it("MACD bullish crossover matches an independent scan of the series", () => {
    const { macd, macdSignal } = series;
    const expected = bars.flatMap((_, i) => {
      const [m0, s0, m1, s1] = [macd[i - 1], macdSignal[i - 1], macd[i], macdSignal[i]];
      return i > 0 && m0 != null && s0 != null && m1 != null && s1 != null && m0 <= s0 && m1 > s1 ? [i] : [];
    });
    expect(evaluateRule(macdBullishCrossover({ timeframe: "1h" }), bars, series)).toEqual(expected);
  });

  it("throws a RangeError when a series does not match the bars", () => {
    expect(() => evaluateRule(rsiBelow(30, { timeframe: "1h" }), bars, { rsi14: [] })).toThrow(RangeError);
  });
});
