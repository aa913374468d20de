import { describe, expect, it } from "vitest";
import { ruleMetrics, suggestMetric } from "./rule-metrics.ts";
import { formatRulePath, parseRuleDocument } from "./rule-schema.ts";
import type { RuleDocument } from "./rule-types.ts";

const valid: RuleDocument = {
  name: "oversold bounce",
  timeframe: "1h",
  when: { all: [{ metric: "rsi14", op: "crosses_above", value: 30 }, { any: [{ metric: "close", op: ">", value: { metric: "sma200" } }, { metric: "relVolume20", op: ">=", value: 2 }] }] },
  cooldownBars: 3,
  oneTime: false,
};

/** The message parseRuleDocument throws for `document`. */
function problem(document: unknown): string {
  try {
    parseRuleDocument(document);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the rule to be refused");
}

const withWhen = (when: unknown, extra: Record<string, unknown> = {}) => ({ name: "r", timeframe: "1h", when, ...extra });

describe("parseRuleDocument", () => {
  it("accepts a valid document unchanged, with every operator and every metric", () => {
    expect(parseRuleDocument(valid)).toEqual(valid);
    for (const op of [">", "<", ">=", "<=", "==", "!=", "crosses_above", "crosses_below"]) {
      expect(parseRuleDocument(withWhen({ any: [{ metric: "change15", op, value: -1.5 }] })).when).toEqual({ any: [{ metric: "change15", op, value: -1.5 }] });
    }
    expect(ruleMetrics(valid)).toEqual(["rsi14", "close", "sma200", "relVolume20"]);
  });

  it("accepts the pattern metrics and the quality score; suggests them when misspelled", () => {
    const when = { all: [{ metric: "engulfing", op: ">", value: 0 }, { metric: "patternCount", op: ">=", value: 2 }, { metric: "qualityScore", op: "<", value: { metric: "rsi14" } }] };
    expect(parseRuleDocument(withWhen(when)).when).toEqual(when);
    expect(problem(withWhen({ all: [{ metric: "engulf", op: ">", value: 0 }] }))).toBe('when.all[0].metric: unknown metric "engulf" (did you mean engulfing?)');
    expect(suggestMetric("quality")).toBe("qualityScore");
    expect(suggestMetric("morningstar")).toBe("morningStar");
  });

  it.each<[string, unknown, string]>([
    ["unknown metric with a suggestion", withWhen({ all: [{ metric: "close", op: ">", value: 1 }, { metric: "rsi", op: "<", value: 30 }] }), 'when.all[1].metric: unknown metric "rsi" (did you mean rsi14?)'],
    ["unknown metric, wrong case", withWhen({ all: [{ metric: "Close", op: ">", value: 1 }] }), 'when.all[0].metric: unknown metric "Close" (did you mean close?)'],
    ["unknown metric without a suggestion", withWhen({ all: [{ metric: "sentiment", op: ">", value: 1 }] }), 'when.all[0].metric: unknown metric "sentiment"'],
    ["unknown metric on the right side", withWhen({ all: [{ metric: "close", op: ">", value: { metric: "sma21" } }] }), 'when.all[0].value.metric: unknown metric "sma21" (did you mean sma20?)'],
    ["unknown operator, nested", withWhen({ all: [{ any: [{ metric: "close", op: ">", value: 1 }, { metric: "close", op: "=>", value: 1 }] }] }), 'when.all[0].any[1].op: unknown operator "=>" (one of > < >= <= == != crosses_above crosses_below)'],
    ["value of the wrong type", withWhen({ all: [{ metric: "close", op: ">", value: "100" }] }), 'when.all[0].value: must be a number or {"metric": NAME}, got a string ("100")'],
    ["missing value", withWhen({ all: [{ metric: "close", op: ">" }] }), 'when.all[0].value: is required (a number or {"metric": NAME})'],
    ["unknown key on a condition", withWhen({ all: [{ metric: "close", op: ">", value: 1, note: "x" }] }), 'when.all[0]: unknown key "note"'],
    ["unknown key on the rule", { ...valid, channel: "email" }, 'rule: unknown key "channel"'],
    ["unknown key on a metric reference", withWhen({ all: [{ metric: "close", op: ">", value: { metric: "open", times: 2 } }] }), 'when.all[0].value: unknown key "times"'],
    ["empty group at the top", withWhen({ all: [] }), "when.all: empty group: give at least one condition or group"],
    ["empty nested group", withWhen({ all: [{ any: [] }] }), "when.all[0].any: empty group: give at least one condition or group"],
    ["a group with both kinds", withWhen({ all: [{ metric: "close", op: ">", value: 1 }], any: [] }), 'when: a group has either "all" or "any", not both'],
    ["a bare condition as when", withWhen({ metric: "close", op: ">", value: 1 }), 'when: must be a group {"all": [...]} or {"any": [...]}, got a condition (wrap it: {"all": [ ... ]})'],
    ["a child that is neither", withWhen({ all: [{ foo: 1 }] }), 'when.all[0]: must be a condition {"metric", "op", "value"} or a group {"all": [...]} or {"any": [...]}, got an object with keys "foo"'],
    ["a child that is not an object", withWhen({ all: [3] }), 'when.all[0]: must be a condition {"metric", "op", "value"} or a group {"all": [...]} or {"any": [...]}, got the number 3'],
    ["missing when", { name: "r", timeframe: "1h" }, 'when: must be a group {"all": [...]} or {"any": [...]}, got nothing'],
    ["negative cooldown", withWhen({ all: [{ metric: "close", op: ">", value: 1 }] }, { cooldownBars: -1 }), "cooldownBars: must be a whole number of bars ≥ 0, got the number -1"],
    ["fractional cooldown", withWhen({ all: [{ metric: "close", op: ">", value: 1 }] }, { cooldownBars: 1.5 }), "cooldownBars: must be a whole number of bars ≥ 0, got the number 1.5"],
    ["oneTime not a boolean", withWhen({ all: [{ metric: "close", op: ">", value: 1 }] }, { oneTime: "yes" }), 'oneTime: must be true or false, got a string ("yes")'],
    ["unknown timeframe", { ...valid, timeframe: "2h" }, 'timeframe: unknown timeframe "2h" (one of 1m, 5m, 15m, 1h, 4h, 1d)'],
    ["missing name", { timeframe: "1h", when: valid.when }, "name: is required (a string)"],
    ["blank name", { ...valid, name: "  " }, "name: must not be empty"],
    ["not an object", [], "rule: must be an object, got an array"],
  ])("%s", (_, document, message) => {
    expect(problem(document)).toBe(message);
  });

  it("prefixes the source when given", () => {
    expect(() => parseRuleDocument(withWhen({ all: [{ metric: "rsi", op: "<", value: 30 }] }), "rules/x.json")).toThrow('rules/x.json: when.all[0].metric: unknown metric "rsi" (did you mean rsi14?)');
  });
});

describe("helpers", () => {
  it("formatRulePath", () => {
    expect(formatRulePath(["when", "all", 1, "any", 0, "metric"])).toBe("when.all[1].any[0].metric");
    expect(formatRulePath([])).toBe("rule");
  });

  it("suggestMetric", () => {
    expect(suggestMetric("rsi")).toBe("rsi14");
    expect(suggestMetric("macdsignal")).toBe("macdSignal");
    expect(suggestMetric("sma2000")).toBe("sma200");
    expect(suggestMetric("atr")).toBe("atr14");
    expect(suggestMetric("zzzzzzzz")).toBeUndefined();
  });
});
