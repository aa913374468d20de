/**
 * Relative Strength Index (Wilder), streaming, TA-Lib `RSI` arithmetic. Pure.
 */

/**
 * TA-Lib's TA_IS_ZERO (0.6: |v| < 1e-14), used where TA-Lib tests a divisor.
 * @example isTaZero(1e-15) // true
 */
export function isTaZero(value: number): boolean {
  return -1e-14 < value && value < 1e-14;
}

/**
 * RSI(period), TA-Lib `RSI` (TA_COMPATIBILITY_DEFAULT):
 * gainₜ = max(Δcloseₜ, 0), lossₜ = max(−Δcloseₜ, 0) for t ≥ 1;
 * avgGain/avgLoss seed = plain mean of the first `period` gains/losses (bars 1..period), then Wilder:
 * avg ← (avg·(period−1) + x)/period; RSI = 100·avgGain/(avgGain+avgLoss), 0 when the sum is 0. No rounding.
 * Warm-up: first value at index `period` (14 for RSI(14)).
 * @example
 * const rsi = new RsiState(2);
 * [10, 11, 10.5, 12].map((c) => rsi.update(c, true));
 * // [null, null, 66.67, 88.89]: seed gains (1+0)/2 = 0.5, losses (0+0.5)/2 = 0.25 → 100·0.5/0.75;
 * // then gain (0.5·1+1.5)/2 = 1, loss 0.25/2 = 0.125 → 100·1/1.125
 */
export class RsiState {
  readonly period: number;
  private count = 0;
  private previousClose = 0;
  private gain = 0;
  private loss = 0;

  constructor(period = 14) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`RSI: period must be an integer ≥ 2, got ${period}`);
    this.period = period;
  }

  update(close: number, commit: boolean): number | null {
    const index = this.count; // this bar's index in the series
    if (index === 0) {
      if (commit) {
        this.previousClose = close;
        this.count = 1;
      }
      return null;
    }
    const change = close - this.previousClose;
    const smoothing = index > this.period;
    let gain = smoothing ? this.gain * (this.period - 1) : this.gain;
    let loss = smoothing ? this.loss * (this.period - 1) : this.loss;
    if (change < 0) loss -= change;
    else gain += change;
    if (index >= this.period) {
      gain /= this.period;
      loss /= this.period;
    }
    if (commit) {
      this.previousClose = close;
      this.gain = gain;
      this.loss = loss;
      this.count++;
    }
    if (index < this.period) return null;
    const sum = gain + loss;
    return isTaZero(sum) ? 0 : 100 * (gain / sum);
  }
}
