/**
 * A fixed-capacity window of the last N numbers with O(1) mean and standard deviation from running sums.
 * Sums are kept relative to a shift (the first value after a reset) so that prices near 28,000 with a spread of
 * a few dollars keep their precision, and are recomputed exactly from the ring once per wrap (amortized O(1)),
 * so rounding errors never accumulate.
 */

/**
 * Rolling mean / standard deviation over the last `capacity` values.
 *
 * @example
 * const window = new RollingWindow(3);
 * [1, 2, 3, 4].forEach((value) => window.push(value)); // holds 2, 3, 4
 * window.mean();   // 3
 * window.stdDev(); // sqrt(((2-3)² + 0 + (4-3)²) / 3) = 0.8165
 */
export class RollingWindow {
  private readonly values: Float64Array;
  private next = 0;
  private size = 0;
  private shift = 0;
  private sum = 0;
  private sumSquares = 0;
  private pushesSinceRecompute = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RollingWindow capacity must be a positive integer, got ${capacity}`);
    this.values = new Float64Array(capacity);
  }

  /** Number of values held (≤ capacity). */
  get count(): number {
    return this.size;
  }

  /** Adds a value, dropping the oldest once full. O(1) amortized. */
  push(value: number): void {
    if (this.size === 0) this.shift = value;
    if (this.size === this.capacity) {
      const oldest = (this.values[this.next] ?? 0) - this.shift;
      this.sum -= oldest;
      this.sumSquares -= oldest * oldest;
    } else {
      this.size++;
    }
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    const shifted = value - this.shift;
    this.sum += shifted;
    this.sumSquares += shifted * shifted;
    if (++this.pushesSinceRecompute >= this.capacity) this.recompute();
  }

  /** Arithmetic mean of the held values (NaN when empty). */
  mean(): number {
    return this.size === 0 ? Number.NaN : this.shift + this.sum / this.size;
  }

  /** Population standard deviation of the held values (NaN when empty). */
  stdDev(): number {
    if (this.size === 0) return Number.NaN;
    const meanShifted = this.sum / this.size;
    return Math.sqrt(Math.max(0, this.sumSquares / this.size - meanShifted * meanShifted));
  }

  /** The held values, oldest first (a copy; for snapshots and tests). */
  toArray(): number[] {
    const result: number[] = [];
    const start = this.size === this.capacity ? this.next : 0;
    for (let index = 0; index < this.size; index++) result.push(this.values[(start + index) % this.capacity] ?? 0);
    return result;
  }

  /** Empties the window. */
  clear(): void {
    this.next = 0;
    this.size = 0;
    this.sum = 0;
    this.sumSquares = 0;
    this.pushesSinceRecompute = 0;
  }

  /** Re-centres the shift on the current mean and recomputes the sums exactly from the ring. */
  private recompute(): void {
    const held = this.toArray();
    this.shift = this.mean();
    this.sum = 0;
    this.sumSquares = 0;
    for (const value of held) {
      const shifted = value - this.shift;
      this.sum += shifted;
      this.sumSquares += shifted * shifted;
    }
    this.pushesSinceRecompute = 0;
  }
}
