/**
 * Rolling sample standard deviation over the last `period` inputs, with the newest one possibly
 * uncommitted (the same update(x, commit) contract as the indicator states). Pure.
 */
export class RollingStdState {
  readonly period: number;
  private readonly window: Float64Array;
  private writeAt = 0;
  private count = 0;

  constructor(period: number) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`rolling std: period must be an integer ≥ 2, got ${period}`);
    this.period = period;
    this.window = new Float64Array(period - 1);
  }

  /**
   * Sample std (divide by n − 1) of the last `period − 1` committed inputs and `x`: two passes over ≤ 20
   * values (exact, no running-sum drift). null until `period` inputs exist.
   * @example const s = new RollingStdState(3); [1, 2, 3].map((x) => s.update(x, true)) // [null, null, 1]
   */
  update(x: number, commit: boolean): number | null {
    const stored = this.period - 1;
    const full = this.count >= stored;
    let value: number | null = null;
    if (full) {
      let sum = x;
      for (let k = 0; k < stored; k++) sum += this.window[k] ?? 0;
      const mean = sum / this.period;
      let squares = (x - mean) ** 2;
      for (let k = 0; k < stored; k++) squares += ((this.window[k] ?? 0) - mean) ** 2;
      value = Math.sqrt(squares / (this.period - 1));
    }
    if (commit) {
      this.window[this.writeAt] = x;
      this.writeAt = this.writeAt + 1 === stored ? 0 : this.writeAt + 1;
      this.count++;
    }
    return value;
  }
}
