/**
 * Market context of the latest bar: trend strength (ADX + regression slope), volatility and a regime label.
 * Pure; reads only the bars passed (the current one last) and that bar's indicator values.
 */
import type { IndicatorValues, OhlcvBar } from "../indicators/indicator-types.ts";
import { trueRange } from "../indicators/atr.ts";

export type Regime = "trending-up" | "trending-down" | "ranging" | "volatile";
export type TrendDirection = "up" | "down" | "flat";

export interface MarketContext {
  regime: Regime | null;
  direction: TrendDirection | null;
  /** ADX(14) (0–100): < 20 weak, 20–25 emerging, 25–50 strong, > 50 very strong. */
  trendStrength: number | null;
  /** Least-squares slope of the last `slopeBars` closes, in % of their mean per bar. */
  slopePct: number | null;
  /** 100·ATR(14)/close. */
  natr: number | null;
  /** ATR(14) ÷ the mean true range of the window: > 1 means more volatile than usual. */
  volatilityRatio: number | null;
}

export interface MarketContextOptions {
  /** Closes in the slope (default 20). */
  slopeBars?: number;
  /** ADX at or above which a directional market is trending (default 25). */
  trendAdx?: number;
  /** |slope| below this % per bar is flat (default 0.02). */
  flatSlopePct?: number;
  /** volatilityRatio at or above which a non-trending market is volatile (default 1.3). */
  volatileRatio?: number;
}

/** Least-squares slope of y over x = 0..n−1, as a percentage of mean(y) per step. */
export function regressionSlopePct(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  values.forEach((value, x) => {
    covariance += (x - meanX) * (value - meanY);
    variance += (x - meanX) ** 2;
  });
  return meanY === 0 ? null : (100 * (covariance / variance)) / meanY;
}

/** Mean true range over the bars (from the second one), or null with fewer than 2 bars. */
function meanTrueRange(bars: readonly OhlcvBar[]): number | null {
  if (bars.length < 2) return null;
  let sum = 0;
  for (let index = 1; index < bars.length; index++) {
    const bar = bars[index] as OhlcvBar;
    sum += trueRange(bar.high, bar.low, (bars[index - 1] as OhlcvBar).close);
  }
  return sum / (bars.length - 1);
}

/**
 * Context of the last bar of `bars` (pass ≥ 50 recent bars; 100 is a good window):
 * - direction: the regression slope of the last `slopeBars` closes: "up" ≥ flatSlopePct, "down" ≤ −flatSlopePct, else "flat";
 * - regime: "trending-up" when ADX ≥ trendAdx, +DI > −DI and the slope is not down; "trending-down" mirrored;
 *   otherwise "volatile" when ATR ÷ the window's mean true range ≥ volatileRatio, else "ranging".
 *   null until ADX and the slope exist.
 * @example
 * computeMarketContext(last100Bars, values).regime // "trending-up"
 */
export function computeMarketContext(bars: readonly OhlcvBar[], values: IndicatorValues, options: MarketContextOptions = {}): MarketContext {
  const { slopeBars = 20, trendAdx = 25, flatSlopePct = 0.02, volatileRatio = 1.3 } = options;
  const last = bars.at(-1);
  const slopePct = bars.length >= slopeBars ? regressionSlopePct(bars.slice(-slopeBars).map((bar) => bar.close)) : null;
  const meanRange = meanTrueRange(bars);
  const { adx14: adx, plusDi14: plusDi, minusDi14: minusDi, atr14: atr } = values;
  const natr = atr !== null && last && last.close !== 0 ? (100 * atr) / last.close : null;
  const volatilityRatio = atr !== null && meanRange ? atr / meanRange : null;
  const direction: TrendDirection | null =
    slopePct === null ? null : slopePct >= flatSlopePct ? "up" : slopePct <= -flatSlopePct ? "down" : "flat";
  let regime: Regime | null = null;
  if (adx !== null && plusDi !== null && minusDi !== null && direction !== null) {
    if (adx >= trendAdx && plusDi > minusDi && direction !== "down") regime = "trending-up";
    else if (adx >= trendAdx && minusDi > plusDi && direction !== "up") regime = "trending-down";
    else regime = volatilityRatio !== null && volatilityRatio >= volatileRatio ? "volatile" : "ranging";
  }
  return { regime, direction, trendStrength: adx, slopePct, natr, volatilityRatio };
}
