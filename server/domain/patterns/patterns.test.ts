/** Hand-made candles for a few patterns, with the TA-Lib rule that fires in a comment. */
import { describe, expect, it } from "vitest";
import type { OhlcvBar } from "../indicators/indicator-types.ts";
import { PatternEngine } from "./pattern-engine.ts";
import type { PatternValues } from "./pattern-registry.ts";
import { patternLabels } from "./pattern-registry.ts";

let time = 0;
const candle = (open: number, high: number, low: number, close: number): OhlcvBar => ({ openTime: time++, open, high, low, close, volume: 1 });

/** Ten ordinary candles (body 2, range 4) so the averages are known: body 2, range 4, shadows 2. */
function engineAfterContext(): PatternEngine {
  const engine = new PatternEngine();
  for (let k = 0; k < 12; k++) engine.push(candle(100, 103, 99, 102));
  return engine;
}

const present = (values: PatternValues) => patternLabels(values);

describe("candlestick patterns", () => {
  it("doji: body ≤ 10% of the average range (0.4)", () => {
    const engine = engineAfterContext();
    expect(engine.preview(candle(101, 103, 99, 101.3)).doji).toBe(100);
    expect(engine.preview(candle(101, 103, 99, 101.5)).doji).toBe(0);
  });

  it("hammer: small body near the prior low, long lower shadow, no upper shadow", () => {
    const engine = engineAfterContext();
    engine.push(candle(102, 102.5, 98, 99)); // prior low 98
    // body 0.5 < avg body, lower shadow 3 > body, upper shadow 0 < 10% of avg range, body bottom 98.5 ≤ 98 + near
    expect(engine.preview(candle(98.5, 99, 95.5, 99)).hammer).toBe(100);
  });

  it("bullish and bearish engulfing (±100), and TA-Lib's ±80 when one end is equal", () => {
    const engine = engineAfterContext();
    engine.push(candle(102, 102.5, 99.5, 100)); // black 102 → 100
    expect(engine.preview(candle(99.5, 103.5, 99, 103)).engulfing).toBe(100);
    expect(engine.preview(candle(100, 103.5, 99, 103)).engulfing).toBe(80); // opens at the prior close
    const bearish = engineAfterContext(); // last context candle: white 100 → 102
    expect(bearish.preview(candle(102.5, 103, 99, 99.5)).engulfing).toBe(-100);
    expect(present(bearish.preview(candle(102.5, 103, 99, 99.5)))).toContain("bearish engulfing");
  });

  it("piercing line: long black, then a long white opening below its low and closing above its midpoint", () => {
    const engine = engineAfterContext();
    engine.push(candle(106, 106.5, 101.5, 102)); // long black, body 4, midpoint 104, low 101.5
    expect(engine.preview(candle(101, 105, 100.8, 104.5)).piercing).toBe(100); // body 3.5 > avg 2.x
  });

  it("values are null before each pattern's TA-Lib lookback", () => {
    const engine = new PatternEngine();
    const first = engine.push(candle(1, 2, 0.5, 1.5));
    expect(first.doji).toBeNull();
    expect(first.engulfing).toBeNull();
  });
});
