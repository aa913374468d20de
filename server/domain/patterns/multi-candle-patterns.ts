/**
 * Two- and three-candle patterns with TA-Lib CDL semantics (0.6, default penetrations): each returns
 * TA-Lib's integer for the current candle (age 0), the last candle of the pattern. Pure.
 */
import type { CandleWindow } from "./candle-window.ts";
import { CANDLE_SETTINGS as S } from "./candle-window.ts";

/**
 * TA-Lib CDLENGULFING: the body of the current candle engulfs the opposite-coloured previous one.
 * ±100 (bullish/bearish); ±80 when one end of the bodies is equal.
 */
export function engulfing(w: CandleWindow): number {
  const [open, close, prevOpen, prevClose] = [w.open(0), w.close(0), w.open(1), w.close(1)];
  const color = w.color(0);
  const bullish = color === 1 && w.color(1) === -1 &&
    ((close >= prevOpen && open < prevClose) || (close > prevOpen && open <= prevClose));
  const bearish = color === -1 && w.color(1) === 1 &&
    ((open >= prevClose && close < prevOpen) || (open > prevClose && close <= prevOpen));
  if (!bullish && !bearish) return 0;
  return open !== prevClose && close !== prevOpen ? color * 100 : color * 80;
}

/**
 * TA-Lib CDLHARAMI: a long candle, then a short one whose body lies inside it. +100 after a black candle
 * (bullish), −100 after a white one; ±80 when one end of the bodies is equal.
 */
export function harami(w: CandleWindow): number {
  if (!(w.body(1) > w.average(S.bodyLong, 1) && w.body(0) <= w.average(S.bodyShort, 0))) return 0;
  const [top, bottom] = [Math.max(w.close(0), w.open(0)), Math.min(w.close(0), w.open(0))];
  const [prevTop, prevBottom] = [Math.max(w.close(1), w.open(1)), Math.min(w.close(1), w.open(1))];
  if (top < prevTop && bottom > prevBottom) return -w.color(1) * 100;
  if (top <= prevTop && bottom >= prevBottom) return -w.color(1) * 80;
  return 0;
}

/**
 * TA-Lib CDLPIERCING: a long black candle, then a long white one opening below its low and closing above
 * its body's midpoint (but below its open). +100.
 */
export function piercing(w: CandleWindow): number {
  return w.color(1) === -1 && w.body(1) > w.average(S.bodyLong, 1) &&
    w.color(0) === 1 && w.body(0) > w.average(S.bodyLong, 0) &&
    w.open(0) < w.low(1) && w.close(0) < w.open(1) && w.close(0) > w.close(1) + w.body(1) * 0.5
    ? 100
    : 0;
}

/**
 * TA-Lib CDLDARKCLOUDCOVER (penetration 0.5): a long white candle, then a black one opening above its high
 * and closing below its body's midpoint (but above its open). −100.
 */
export function darkCloudCover(w: CandleWindow, penetration = 0.5): number {
  return w.color(1) === 1 && w.body(1) > w.average(S.bodyLong, 1) && w.color(0) === -1 &&
    w.open(0) > w.high(1) && w.close(0) > w.open(1) && w.close(0) < w.close(1) - w.body(1) * penetration
    ? -100
    : 0;
}

/**
 * TA-Lib CDLMORNINGSTAR (penetration 0.3): a long black candle, a short one gapping down, then a white one
 * longer than short closing more than 30% into the first body. +100.
 */
export function morningStar(w: CandleWindow, penetration = 0.3): number {
  return w.body(2) > w.average(S.bodyLong, 2) && w.color(2) === -1 &&
    w.body(1) <= w.average(S.bodyShort, 1) && w.bodyGapDown(1, 2) &&
    w.body(0) > w.average(S.bodyShort, 0) && w.color(0) === 1 &&
    w.close(0) > w.close(2) + w.body(2) * penetration
    ? 100
    : 0;
}

/**
 * TA-Lib CDLEVENINGSTAR (penetration 0.3): a long white candle, a short one gapping up, then a black one
 * longer than short closing more than 30% into the first body. −100.
 */
export function eveningStar(w: CandleWindow, penetration = 0.3): number {
  return w.body(2) > w.average(S.bodyLong, 2) && w.color(2) === 1 &&
    w.body(1) <= w.average(S.bodyShort, 1) && w.bodyGapUp(1, 2) &&
    w.body(0) > w.average(S.bodyShort, 0) && w.color(0) === -1 &&
    w.close(0) < w.close(2) - w.body(2) * penetration
    ? -100
    : 0;
}

/**
 * TA-Lib CDL3WHITESOLDIERS: three white candles with very short upper shadows, higher closes, each opening
 * within or near the previous body, none far shorter than the one before, the last not short. +100.
 */
export function threeWhiteSoldiers(w: CandleWindow): number {
  for (let age = 0; age <= 2; age++) {
    if (w.color(age) !== 1 || w.upperShadow(age) >= w.average(S.shadowVeryShort, age)) return 0;
  }
  return w.close(0) > w.close(1) && w.close(1) > w.close(2) &&
    w.open(1) > w.open(2) && w.open(1) <= w.close(2) + w.average(S.near, 2) &&
    w.open(0) > w.open(1) && w.open(0) <= w.close(1) + w.average(S.near, 1) &&
    w.body(1) > w.body(2) - w.average(S.far, 2) &&
    w.body(0) > w.body(1) - w.average(S.far, 1) &&
    w.body(0) > w.average(S.bodyShort, 0)
    ? 100
    : 0;
}

/**
 * TA-Lib CDL3BLACKCROWS: after a white candle, three black candles with very short lower shadows, each
 * opening within the previous body, closing lower, the first closing under the white candle's high. −100.
 */
export function threeBlackCrows(w: CandleWindow): number {
  if (w.color(3) !== 1) return 0;
  for (let age = 0; age <= 2; age++) {
    if (w.color(age) !== -1 || w.lowerShadow(age) >= w.average(S.shadowVeryShort, age)) return 0;
  }
  return w.open(1) < w.open(2) && w.open(1) > w.close(2) &&
    w.open(0) < w.open(1) && w.open(0) > w.close(1) &&
    w.high(3) > w.close(2) && w.close(2) > w.close(1) && w.close(1) > w.close(0)
    ? -100
    : 0;
}
