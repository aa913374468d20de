/**
 * True range and Average True Range (Wilder), streaming, TA-Lib `TRANGE`/`ATR` arithmetic. Pure.
 */

/**
 * True range, TA-Lib `TRANGE`: max(high − low, |high − previousClose|, |low − previousClose|).
 * @example trueRange(105, 100, 107) // 7: the gap down from 107 is larger than the 5-point range
 */
export function trueRange(high: number, low: number, previousClose: number): number {
  let range = high - low;
  const fromHigh = Math.abs(previousClose - high);
  if (fromHigh > range) range = fromHigh;
  const fromLow = Math.abs(previousClose - low);
  if (fromLow > range) range = fromLow;
  return range;
}

/**
 * ATR(period), TA-Lib `ATR`: TR from index 1; seed = mean(TR₁..TR_period); then Wilder
 * ATR ← (ATR·(period−1) + TR)/period. Warm-up: first value at index `period` (14).
 * @example
 * const atr = new AtrState(2);
 * [[10, 8, 9], [11, 9, 10], [12, 9, 11]].map(([h, l, c]) => atr.update(h, l, c, true));
 * // [null, null, 2.5]: TR₁ = 2, TR₂ = 3 → (2+3)/2
 */
export class AtrState {
  readonly period: number;
  private count = 0;
  private previousClose = 0;
  private value = 0;

  constructor(period = 14) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`ATR: period must be an integer ≥ 2, got ${period}`);
    this.period = period;
  }

  update(high: number, low: number, close: number, commit: boolean): number | null {
    const index = this.count;
    let value = this.value;
    if (index > 0) {
      const range = trueRange(high, low, this.previousClose);
      if (index <= this.period) {
        value += range; // running sum of TR₁..TR_period
        if (index === this.period) value /= this.period;
      } else {
        value = (value * (this.period - 1) + range) / this.period;
      }
    }
    if (commit) {
      this.previousClose = close;
      this.value = value;
      this.count++;
    }
    return index >= this.period ? value : null;
  }
}
