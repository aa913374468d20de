/**
 * One-candle patterns with TA-Lib CDL semantics (0.6): each returns TA-Lib's integer for the current candle
 * (age 0) of the window: +100 bullish, −100 bearish, 100 for neutral patterns (doji), 0 when absent.
 * The window must hold at least `lookback + 1` candles (pattern-registry.ts). Pure.
 */
import type { CandleWindow } from "./candle-window.ts";
import { CANDLE_SETTINGS as S } from "./candle-window.ts";

/** TA-Lib CDLDOJI: body ≤ 10% of the average range of the 10 previous candles. Always 100 (indecision). */
export function doji(w: CandleWindow): number {
  return w.body(0) <= w.average(S.bodyDoji, 0) ? 100 : 0;
}

/** TA-Lib CDLDRAGONFLYDOJI: doji with a very short upper shadow and a lower shadow that is not very short. */
export function dragonflyDoji(w: CandleWindow): number {
  const veryShort = w.average(S.shadowVeryShort, 0);
  return w.body(0) <= w.average(S.bodyDoji, 0) && w.upperShadow(0) < veryShort && w.lowerShadow(0) > veryShort ? 100 : 0;
}

/** TA-Lib CDLGRAVESTONEDOJI: doji with a very short lower shadow and an upper shadow that is not very short. */
export function gravestoneDoji(w: CandleWindow): number {
  const veryShort = w.average(S.shadowVeryShort, 0);
  return w.body(0) <= w.average(S.bodyDoji, 0) && w.lowerShadow(0) < veryShort && w.upperShadow(0) > veryShort ? 100 : 0;
}

/** Small body, lower shadow longer than the body, very short upper shadow (hammer and hanging man). */
function hammerShape(w: CandleWindow): boolean {
  return (
    w.body(0) < w.average(S.bodyShort, 0) &&
    w.lowerShadow(0) > w.average(S.shadowLong, 0) &&
    w.upperShadow(0) < w.average(S.shadowVeryShort, 0)
  );
}

/** Small body, upper shadow longer than the body, very short lower shadow (inverted hammer, shooting star). */
function invertedShape(w: CandleWindow): boolean {
  return (
    w.body(0) < w.average(S.bodyShort, 0) &&
    w.upperShadow(0) > w.average(S.shadowLong, 0) &&
    w.lowerShadow(0) < w.average(S.shadowVeryShort, 0)
  );
}

/** TA-Lib CDLHAMMER: hammer shape whose body is at or near the previous candle's low. +100. */
export function hammer(w: CandleWindow): number {
  return hammerShape(w) && Math.min(w.close(0), w.open(0)) <= w.low(1) + w.average(S.near, 1) ? 100 : 0;
}

/** TA-Lib CDLHANGINGMAN: hammer shape whose body is at or near the previous candle's high. −100. */
export function hangingMan(w: CandleWindow): number {
  return hammerShape(w) && Math.min(w.close(0), w.open(0)) >= w.high(1) - w.average(S.near, 1) ? -100 : 0;
}

/** TA-Lib CDLINVERTEDHAMMER: inverted shape with its body gapping down from the previous body. +100. */
export function invertedHammer(w: CandleWindow): number {
  return invertedShape(w) && w.bodyGapDown(0, 1) ? 100 : 0;
}

/** TA-Lib CDLSHOOTINGSTAR: inverted shape with its body gapping up from the previous body. −100. */
export function shootingStar(w: CandleWindow): number {
  return invertedShape(w) && w.bodyGapUp(0, 1) ? -100 : 0;
}

/** TA-Lib CDLMARUBOZU: long body, both shadows very short. ±100 by colour. */
export function marubozu(w: CandleWindow): number {
  const veryShort = w.average(S.shadowVeryShort, 0);
  return w.body(0) > w.average(S.bodyLong, 0) && w.upperShadow(0) < veryShort && w.lowerShadow(0) < veryShort ? w.color(0) * 100 : 0;
}

/** TA-Lib CDLSPINNINGTOP: small body with both shadows longer than the body. ±100 by colour. */
export function spinningTop(w: CandleWindow): number {
  const body = w.body(0);
  return body < w.average(S.bodyShort, 0) && w.upperShadow(0) > body && w.lowerShadow(0) > body ? w.color(0) * 100 : 0;
}
