/**
 * Simple and exponential moving averages: O(1) streaming states (TA-Lib arithmetic) and batch helpers
 * that run the same states in a loop. Every state here follows one contract:
 * `update(x, commit)` returns the value with `x` as the newest input; it changes the state only when
 * `commit` is true, so the still-open bar can be evaluated any number of times (`commit = false`)
 * before the closed bar is committed once.
 */

function assertPeriod(period: number, name: string): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`${name}: period must be a positive integer, got ${period}`);
}

/**
 * Simple moving average, TA-Lib `SMA`: mean of the last `period` inputs.
 * Running sum exactly as TA-Lib keeps it (add the newest, divide, subtract the oldest), so results match
 * TA-Lib to the last bit in practice. Warm-up: first value at index `period − 1`.
 * @example
 * const sma = new SmaState(3);
 * [1, 2, 3, 4].map((x) => sma.update(x, true)); // [null, null, 2, 3]
 */
export class SmaState {
  readonly period: number;
  private readonly window: Float64Array;
  private writeAt = 0;
  private count = 0;
  /** Sum of the newest `period − 1` committed inputs (TA-Lib's periodTotal after the trailing subtraction). */
  private partial = 0;

  constructor(period: number) {
    assertPeriod(period, "SMA");
    this.period = period;
    this.window = new Float64Array(period);
  }

  update(x: number, commit: boolean): number | null {
    const total = this.partial + x;
    const full = this.count + 1 >= this.period;
    if (commit) {
      this.window[this.writeAt] = x;
      const next = this.writeAt + 1 === this.period ? 0 : this.writeAt + 1;
      // after the write, the next slot holds the oldest input of the window that ends with x
      this.partial = full ? total - (this.window[next] ?? 0) : total;
      this.writeAt = next;
      this.count++;
    }
    return full ? total / this.period : null;
  }
}

/**
 * Exponential moving average, TA-Lib `EMA`: k = 2/(period+1), seeded with the SMA of the first `period`
 * inputs, then EMA ← (x − EMA)·k + EMA. Warm-up: first value at index `period − 1`.
 * @example
 * const ema = new EmaState(3); // k = 0.5
 * [1, 2, 3, 5].map((x) => ema.update(x, true)); // [null, null, 2, 3.5]  (seed (1+2+3)/3 = 2; (5−2)·0.5+2)
 */
export class EmaState {
  readonly period: number;
  private readonly k: number;
  private count = 0;
  private seedSum = 0;
  private value = 0;

  constructor(period: number) {
    assertPeriod(period, "EMA");
    this.period = period;
    this.k = 2 / (period + 1);
  }

  update(x: number, commit: boolean): number | null {
    if (this.count < this.period - 1) {
      if (commit) {
        this.seedSum += x;
        this.count++;
      }
      return null;
    }
    const value = this.count === this.period - 1 ? (this.seedSum + x) / this.period : (x - this.value) * this.k + this.value;
    if (commit) {
      this.value = value;
      this.count++;
    }
    return value;
  }
}

/** Runs a streaming state over an array (batch = the same core in a loop). */
function runSeries(values: readonly number[], state: { update(x: number, commit: boolean): number | null }): (number | null)[] {
  return values.map((x) => state.update(x, true));
}

/**
 * Batch SMA (TA-Lib `SMA`), `null` before index `period − 1`.
 * @example sma([1, 2, 3, 4], 2) // [null, 1.5, 2.5, 3.5]
 */
export function sma(values: readonly number[], period: number): (number | null)[] {
  return runSeries(values, new SmaState(period));
}

/**
 * Batch EMA (TA-Lib `EMA`, SMA seed), `null` before index `period − 1`.
 * @example ema([1, 2, 3, 5], 3) // [null, null, 2, 3.5]
 */
export function ema(values: readonly number[], period: number): (number | null)[] {
  return runSeries(values, new EmaState(period));
}
