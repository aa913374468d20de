/**
 * Highest high and lowest low over the last `period` bars, the newest one possibly uncommitted.
 * A small loop over the stored `period − 1` bars (14-bar windows: cheaper than a deque). Pure.
 */
export class HighLowWindow {
  /** Outputs of the last `update`. */
  highest = 0;
  lowest = 0;
  readonly period: number;
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  private writeAt = 0;
  private count = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`high/low window: period must be a positive integer, got ${period}`);
    this.period = period;
    this.highs = new Float64Array(Math.max(1, period - 1));
    this.lows = new Float64Array(Math.max(1, period - 1));
  }

  /** Sets `highest`/`lowest` over the window ending with this bar; returns true once the window is full. */
  update(high: number, low: number, commit: boolean): boolean {
    const stored = Math.min(this.count, this.period - 1);
    let highest = high;
    let lowest = low;
    for (let k = 0; k < stored; k++) {
      const h = this.highs[k] ?? high;
      const l = this.lows[k] ?? low;
      if (h > highest) highest = h;
      if (l < lowest) lowest = l;
    }
    this.highest = highest;
    this.lowest = lowest;
    const full = this.count + 1 >= this.period;
    if (commit) {
      this.count++;
      if (this.period > 1) {
        this.highs[this.writeAt] = high;
        this.lows[this.writeAt] = low;
        this.writeAt = this.writeAt + 1 === this.period - 1 ? 0 : this.writeAt + 1;
      }
    }
    return full;
  }
}
