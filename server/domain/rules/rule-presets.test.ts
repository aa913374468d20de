import { describe, expect, it } from "vitest";
import { macdBearishCrossover, macdBullishCrossover, patternDetected, priceAbove, priceBelow, qualityBelow, rsiAbove, rsiBelow, volumeSpike } from "./rule-presets.ts";
import { parseRuleDocument } from "./rule-schema.ts";

describe("presets", () => {
  it("return the documented rule documents, valid under the schema", () => {
    const timeframe = "1h" as const;
    const cases = [
      [priceAbove(65000, { timeframe }), { metric: "close", op: ">", value: 65000 }, "close > 65000"],
      [priceBelow(60000, { timeframe }), { metric: "close", op: "<", value: 60000 }, "close < 60000"],
      [rsiAbove(70, { timeframe }), { metric: "rsi14", op: ">", value: 70 }, "rsi14 > 70"],
      [rsiBelow(30, { timeframe }), { metric: "rsi14", op: "<", value: 30 }, "rsi14 < 30"],
      [macdBullishCrossover({ timeframe }), { metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }, "MACD bullish crossover"],
      [macdBearishCrossover({ timeframe }), { metric: "macd", op: "crosses_below", value: { metric: "macdSignal" } }, "MACD bearish crossover"],
      [volumeSpike(3, { timeframe }), { metric: "relVolume20", op: ">=", value: 3 }, "volume ≥ 3× 20-bar average"],
      [patternDetected("engulfing", "bullish", { timeframe }), { metric: "engulfing", op: ">", value: 0 }, "bullish engulfing"],
      [patternDetected("engulfing", "bearish", { timeframe }), { metric: "engulfing", op: "<", value: 0 }, "bearish engulfing"],
      [patternDetected("doji", "any", { timeframe }), { metric: "doji", op: "!=", value: 0 }, "doji detected"],
      [patternDetected("hammer", "bullish", { timeframe }), { metric: "hammer", op: ">", value: 0 }, "bullish hammer"],
      [qualityBelow(80, { timeframe }), { metric: "qualityScore", op: "<", value: 80 }, "data quality < 80"],
    ] as const;
    for (const [document, condition, name] of cases) {
      expect(document).toEqual({ name, timeframe, when: { all: [condition] } });
      expect(parseRuleDocument(document)).toEqual(document);
    }
  });

  it("pass name, cooldownBars and oneTime through, and refuse bad options", () => {
    expect(rsiBelow(25, { timeframe: "4h", name: "deep oversold", cooldownBars: 6, oneTime: true })).toEqual({
      name: "deep oversold", timeframe: "4h", when: { all: [{ metric: "rsi14", op: "<", value: 25 }] }, cooldownBars: 6, oneTime: true,
    });
    expect(() => priceAbove(Number.NaN, { timeframe: "1h" })).toThrow(/when\.all\[0\]\.value/);
    expect(() => volumeSpike(2, { timeframe: "1h", cooldownBars: -2 })).toThrow(/cooldownBars: must be a whole number/);
  });
});
