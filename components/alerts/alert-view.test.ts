import { describe, expect, it } from "vitest";
import { describeRule } from "./alert-view.ts";

describe("describeRule", () => {
  it("writes conditions, crosses and nested groups in words", () => {
    expect(describeRule({ when: { all: [{ metric: "close", op: ">", value: 100 }] } })).toBe("close > 100");
    expect(
      describeRule({
        when: {
          all: [
            { metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } },
            { any: [{ metric: "rsi14", op: "<", value: 30 }, { metric: "relVolume20", op: ">=", value: 3 }] },
          ],
        },
      }),
    ).toBe("macd crosses above macdSignal and (rsi14 < 30 or relVolume20 >= 3)");
  });

  it("never throws on a malformed stored rule", () => {
    expect(describeRule({ when: null as never })).toBe("(unreadable rule)");
  });
});
