/**
 * Scanner helpers: relative volume and price change over N bars, streaming. Pure. Not TA-Lib functions.
 */

/**
 * Relative volume: volumeₜ ÷ the mean volume of the previous `period` bars (the volume SMA as of the bar
 * before), so a 5× spike reads 5 and is not diluted by itself. `null` during the warm-up (first value at
 * index `period`, 20 for relVolume20) and when that mean is 0.
 * Feed it the volume SMA(period) of the current bar (`average`, null during its warm-up); it keeps the
 * previous bar's.
 * @example
 * // volumes 10 × 20 bars, then 50: SMA₂₀ before the spike = 10 → relVolume = 50/10 = 5
 */
export class RelativeVolumeState {
  private previousAverage: number | null = null;

  update(volume: number, average: number | null, commit: boolean): number | null {
    const previous = this.previousAverage;
    if (commit) this.previousAverage = average;
    return previous !== null && previous > 0 ? volume / previous : null;
  }
}

/**
 * Price change in percent over each of `spans` bars: changeₙ = 100·(closeₜ − closeₜ₋ₙ)/closeₜ₋ₙ.
 * `null` before index n (and when closeₜ₋ₙ is 0). After `update`, read `changes[k]` for `spans[k]`.
 * @example
 * const change = new PriceChangeState([1, 5, 15]);
 * // closes 100, 101: change.changes[0] = 100·(101 − 100)/100 = 1
 */
export class PriceChangeState {
  readonly spans: readonly number[];
  readonly changes: (number | null)[];
  private readonly closes: Float64Array;
  private writeAt = 0;
  private count = 0;

  constructor(spans: readonly number[] = [1, 5, 15]) {
    if (spans.some((span) => !Number.isInteger(span) || span < 1)) throw new RangeError(`price change: spans must be positive integers, got ${spans.join(",")}`);
    this.spans = spans;
    this.changes = spans.map(() => null);
    this.closes = new Float64Array(Math.max(...spans));
  }

  update(close: number, commit: boolean): void {
    const size = this.closes.length;
    for (let k = 0; k < this.spans.length; k++) {
      const span = this.spans[k] ?? 1;
      if (this.count < span) {
        this.changes[k] = null;
        continue;
      }
      const past = this.closes[(this.writeAt - span + size) % size] ?? 0;
      this.changes[k] = past !== 0 ? (100 * (close - past)) / past : null;
    }
    if (commit) {
      this.closes[this.writeAt] = close;
      this.writeAt = this.writeAt + 1 === size ? 0 : this.writeAt + 1;
      this.count++;
    }
  }
}
