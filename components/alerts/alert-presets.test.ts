import { describe, expect, it } from "vitest";
import { parseRuleDocument } from "../../server/domain/rules/rule-schema.ts";
import { PATTERN_DIRECTIONS, PATTERN_NAMES, PRESET_KINDS, presetOf, presetRule, priceAlertFromLine, priceLevelOf, roundPrice, withPriceLevel } from "./alert-presets.ts";

describe("alert presets", () => {
  it("round-trips every preset through its rule document", () => {
    for (const kind of PRESET_KINDS.filter((kind) => kind !== "pattern")) {
      const threshold = kind.startsWith("macd") ? undefined : 42;
      const rule = presetRule({ kind, threshold }, { timeframe: "5m" });
      expect(rule.timeframe).toBe("5m");
      expect(presetOf(rule)).toEqual(threshold === undefined ? { kind } : { kind, threshold });
    }
    for (const pattern of PATTERN_NAMES) {
      for (const direction of PATTERN_DIRECTIONS) {
        const rule = presetRule({ kind: "pattern", pattern, direction }, { timeframe: "1h" });
        expect(rule.when).toEqual({ all: [{ metric: pattern, op: { bullish: ">", bearish: "<", any: "!=" }[direction], value: 0 }] });
        expect(presetOf(rule)).toEqual({ kind: "pattern", pattern, direction });
      }
    }
    expect(presetRule({ kind: "pattern" }, { timeframe: "1h" }).name).toBe("bullish engulfing"); // the defaults
    expect(presetOf(parseRuleDocument({ name: "x", timeframe: "1h", when: { all: [{ metric: "hammer", op: ">", value: 50 }] } }))).toBeUndefined();
  });

  it("refuses a missing threshold and passes the domain's errors through", () => {
    expect(() => presetRule({ kind: "price_above" }, { timeframe: "1m" })).toThrow(/Price: enter a number/);
    expect(() => presetRule({ kind: "rsi_above", threshold: Number.NaN }, { timeframe: "1m" })).toThrow(/RSI level/);
  });

  it("treats composite rules as advanced (no preset, no price line)", () => {
    const rule = parseRuleDocument({
      name: "breakout",
      timeframe: "1h",
      when: { all: [{ metric: "close", op: ">", value: 100 }, { metric: "rsi14", op: "<", value: 70 }] },
    });
    expect(presetOf(rule)).toBeUndefined();
    expect(priceLevelOf(rule)).toBeUndefined();
    expect(priceLevelOf(parseRuleDocument({ name: "x", timeframe: "1m", when: { any: [{ metric: "close", op: "crosses_above", value: 7 }] } }))).toBe(7);
    expect(priceLevelOf(parseRuleDocument({ name: "x", timeframe: "1m", when: { all: [{ metric: "close", op: "!=", value: 7 }] } }))).toBeUndefined();
  });

  it("moves a price alert to a dragged level, renaming only a default name", () => {
    const rule = presetRule({ kind: "price_below", threshold: 100 }, { timeframe: "1m" });
    const moved = withPriceLevel(rule, 95.5);
    expect(priceLevelOf(moved)).toBe(95.5);
    expect(moved.name).toBe("close < 95.5");
    const named = withPriceLevel({ ...rule, name: "my stop" }, 90);
    expect(named.name).toBe("my stop");
  });

  it("a line above the last price alerts on price above, below it on price below", () => {
    expect(presetOf(priceAlertFromLine(110, 100, { timeframe: "1m" }))).toEqual({ kind: "price_above", threshold: 110 });
    expect(presetOf(priceAlertFromLine(90, 100, { timeframe: "1m" }))).toEqual({ kind: "price_below", threshold: 90 });
  });

  it("rounds dragged prices to 6 significant digits", () => {
    expect(roundPrice(65432.123456)).toBe(65432.1);
    expect(roundPrice(0.000123456789)).toBe(0.000123457);
  });
});
