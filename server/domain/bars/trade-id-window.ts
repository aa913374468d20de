/**
 * Duplicate detection for one symbol's trade ids, in bounded memory. Pure.
 *
 * Binance trade ids (`t`, or `a` for aggTrade) increase by one per trade and symbol. Instead of remembering
 * every id seen, the window keeps the highest id and the ranges of ids *skipped* below it (ids that may still
 * arrive out of order, e.g. after a reconnect gap; everything below the first id seen is one such range).
 * An id above the maximum is new; an id inside a skipped
 * range is new and fills it; anything else is a duplicate. At most `maxGaps` ranges are kept: when more
 * appear, the oldest is forgotten and its ids then count as duplicates. In-order ids cost two comparisons.
 */
export class TradeIdWindow {
  private maxId = Number.NEGATIVE_INFINITY;
  private readonly gapLow: number[] = [];
  private readonly gapHigh: number[] = [];
  private readonly maxGaps: number;

  constructor(maxGaps = 64) {
    this.maxGaps = maxGaps;
  }

  /**
   * Records `id` and returns true when it was not seen before.
   * @example const ids = new TradeIdWindow(); ids.accept(5); ids.accept(8); ids.accept(6) // true (fills the 6..7 gap)
   */
  accept(id: number): boolean {
    const max = this.maxId;
    if (id > max) {
      // Before the first id nothing was seen: ids below it may still arrive (once each).
      if (id !== max + 1) this.addGap(max === Number.NEGATIVE_INFINITY ? max : max + 1, id - 1);
      this.maxId = id;
      return true;
    }
    return this.fillGap(id);
  }

  /** Highest id accepted so far (-Infinity before the first). */
  get highest(): number {
    return this.maxId;
  }

  private addGap(low: number, high: number): void {
    if (this.gapLow.length >= this.maxGaps) {
      this.gapLow.shift();
      this.gapHigh.shift();
    }
    this.gapLow.push(low);
    this.gapHigh.push(high);
  }

  private fillGap(id: number): boolean {
    for (let index = this.gapLow.length - 1; index >= 0; index--) {
      const low = this.gapLow[index] ?? 0;
      const high = this.gapHigh[index] ?? -1;
      if (!(id >= low && id <= high)) continue;
      if (low === high) {
        this.gapLow.splice(index, 1);
        this.gapHigh.splice(index, 1);
      } else if (id === low) {
        this.gapLow[index] = low + 1;
      } else if (id === high) {
        this.gapHigh[index] = high - 1;
      } else {
        this.gapLow.splice(index + 1, 0, id + 1);
        this.gapHigh.splice(index + 1, 0, high);
        this.gapHigh[index] = id - 1;
        if (this.gapLow.length > this.maxGaps) {
          this.gapLow.shift();
          this.gapHigh.shift();
        }
      }
      return true;
    }
    return false;
  }
}
