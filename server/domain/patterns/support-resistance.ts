/**
 * Pivot-based support and resistance: classic floor pivots from the previous period, and swing levels from
 * confirmed pivot highs/lows clustered by price. Pure; only bars up to the current one are read.
 */
import type { OhlcvBar } from "../indicators/indicator-types.ts";

export interface FloorPivots {
  pivot: number;
  r1: number;
  r2: number;
  r3: number;
  s1: number;
  s2: number;
  s3: number;
}

/**
 * Classic floor-trader pivots from a completed period (previous day/session/bar):
 * P = (H + L + C)/3; R1 = 2P − L; S1 = 2P − H; R2 = P + (H − L); S2 = P − (H − L); R3 = H + 2(P − L); S3 = L − 2(H − P).
 * @example floorPivots({ high: 110, low: 90, close: 100 }) // { pivot: 100, r1: 110, s1: 90, r2: 120, s2: 80, r3: 130, s3: 70 }
 */
export function floorPivots(period: { high: number; low: number; close: number }): FloorPivots {
  const { high, low, close } = period;
  const pivot = (high + low + close) / 3;
  return {
    pivot,
    r1: 2 * pivot - low,
    s1: 2 * pivot - high,
    r2: pivot + (high - low),
    s2: pivot - (high - low),
    r3: high + 2 * (pivot - low),
    s3: low - 2 * (high - pivot),
  };
}

export interface PriceLevel {
  /** Mean price of the pivots in the cluster. */
  price: number;
  /** Pivots that formed it. */
  touches: number;
  /** Index (into the bars passed) of its most recent pivot. */
  lastIndex: number;
}

export interface SwingLevels {
  /** Levels below the last close, nearest first. */
  supports: PriceLevel[];
  /** Levels above the last close, nearest first. */
  resistances: PriceLevel[];
}

export interface SwingLevelOptions {
  /** Bars on each side a pivot must exceed (default 3); a pivot is confirmed `right` bars later. */
  left?: number;
  right?: number;
  /** Pivots within this fraction of each other form one level (default 0.005 = 0.5%). */
  tolerance?: number;
  /** Levels returned per side (default 3). */
  maxLevels?: number;
}

interface Pivot {
  price: number;
  index: number;
}

/** Confirmed pivot highs and lows: strictly above/below the `left` bars before, at least as high/low as the `right` after. */
function findPivots(bars: readonly OhlcvBar[], left: number, right: number): Pivot[] {
  const pivots: Pivot[] = [];
  for (let index = left; index + right < bars.length; index++) {
    const bar = bars[index] as OhlcvBar;
    let isHigh = true;
    let isLow = true;
    for (let k = index - left; k <= index + right && (isHigh || isLow); k++) {
      if (k === index) continue;
      const other = bars[k] as OhlcvBar;
      if (k < index ? other.high >= bar.high : other.high > bar.high) isHigh = false;
      if (k < index ? other.low <= bar.low : other.low < bar.low) isLow = false;
    }
    if (isHigh) pivots.push({ price: bar.high, index });
    if (isLow) pivots.push({ price: bar.low, index });
  }
  return pivots;
}

/** Sorted pivots merged into levels while each is within `tolerance` of the running cluster mean. */
function cluster(pivots: Pivot[], tolerance: number): PriceLevel[] {
  const levels: PriceLevel[] = [];
  for (const pivot of [...pivots].sort((a, b) => a.price - b.price)) {
    const level = levels.at(-1);
    if (level && pivot.price - level.price <= level.price * tolerance) {
      level.price = (level.price * level.touches + pivot.price) / (level.touches + 1);
      level.touches++;
      level.lastIndex = Math.max(level.lastIndex, pivot.index);
    } else {
      levels.push({ price: pivot.price, touches: 1, lastIndex: pivot.index });
    }
  }
  return levels;
}

/**
 * Support and resistance from swing pivots of `bars` (oldest first; the last bar is "now"): pivot highs and
 * lows confirmed by `right` later bars are clustered within `tolerance`, then split around the last close.
 * Stronger levels have more touches. No look-ahead: a pivot needs its `right` bars to exist.
 * @example
 * swingLevels(last200Bars).supports[0]?.price // the nearest support below the close
 */
export function swingLevels(bars: readonly OhlcvBar[], options: SwingLevelOptions = {}): SwingLevels {
  const { left = 3, right = 3, tolerance = 0.005, maxLevels = 3 } = options;
  const last = bars.at(-1);
  if (!last) return { supports: [], resistances: [] };
  const levels = cluster(findPivots(bars, left, right), tolerance);
  const supports = levels.filter((level) => level.price < last.close).reverse().slice(0, maxLevels);
  const resistances = levels.filter((level) => level.price > last.close).slice(0, maxLevels);
  return { supports, resistances };
}
