/**
 * Streaming candlestick-pattern detection for one (symbol, timeframe), with the same push/preview contract
 * as IndicatorEngine; batch detection is this engine in a loop. Pure.
 */
import type { OhlcvBar } from "../indicators/indicator-types.ts";
import { CandleWindow } from "./candle-window.ts";
import type { PatternName, PatternValues } from "./pattern-registry.ts";
import { PATTERNS, PATTERN_NAMES, emptyPatternValues } from "./pattern-registry.ts";

/**
 * - `push(bar)`: a closed bar; returns its pattern values and commits it.
 * - `preview(bar)`: the still-open bar; same values as `push` would give, state unchanged.
 * Values are TA-Lib's integers (±100, ±80, 0), `null` before each pattern's lookback.
 * @example
 * const patterns = new PatternEngine();
 * for (const bar of bars) if (patterns.push(bar).hammer) console.log("hammer at", bar.openTime);
 */
export class PatternEngine {
  private readonly window = new CandleWindow();
  private count = 0;

  push(bar: OhlcvBar, out: PatternValues = emptyPatternValues()): PatternValues {
    this.window.setCurrent(bar);
    this.evaluate(out);
    this.window.commit();
    this.count++;
    return out;
  }

  preview(bar: OhlcvBar, out: PatternValues = emptyPatternValues()): PatternValues {
    this.window.setCurrent(bar);
    return this.evaluate(out);
  }

  private evaluate(out: PatternValues): PatternValues {
    for (const pattern of PATTERNS) out[pattern.name] = this.count >= pattern.lookback ? pattern.detect(this.window) : null;
    return out;
  }
}

/** One array per pattern, one entry per bar. */
export type PatternSeries = Record<PatternName, (number | null)[]>;

/**
 * Every pattern for `bars` (ascending): TA-Lib's integer per bar, `null` before the pattern's lookback.
 * @example detectPatterns(bars).engulfing[42] // 100 = bullish engulfing at bar 42
 */
export function detectPatterns(bars: readonly OhlcvBar[]): PatternSeries {
  const engine = new PatternEngine();
  const series = {} as PatternSeries;
  for (const name of PATTERN_NAMES) series[name] = [];
  const values = emptyPatternValues();
  for (const bar of bars) {
    engine.push(bar, values);
    for (const name of PATTERN_NAMES) series[name].push(values[name]);
  }
  return series;
}
