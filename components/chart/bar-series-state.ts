/**
 * The bars currently drawn, and the cheapest chart operation for each change: `series.update()`
 * for a new or changed last bar, `update(bar, true)` for a changed older bar, a full `setData`
 * only when a bar must be inserted in the middle. Pure; tested in bar-series-state.test.ts.
 */
import type { Bar } from "../../server/domain/bars/bar.ts";

export type MergePlan =
  | { kind: "none" }
  | { kind: "reset"; bars: readonly Bar[] }
  | { kind: "update"; updates: Array<{ bar: Bar; historical: boolean }> };

function sameValues(a: Bar, b: Bar): boolean {
  return a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

/** Index of the bar with this open time, or -(insertion point) - 1. */
function search(bars: readonly Bar[], openTime: number): number {
  let low = 0;
  let high = bars.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const time = (bars[middle] as Bar).openTime;
    if (time === openTime) return middle;
    if (time < openTime) low = middle + 1;
    else high = middle - 1;
  }
  return -low - 1;
}

export class BarSeriesState {
  private bars: Bar[] = [];

  /** Replaces everything (history load); returns the sorted, de-duplicated bars to `setData`. */
  reset(bars: readonly Bar[]): readonly Bar[] {
    const byTime = new Map<number, Bar>();
    for (const bar of bars) byTime.set(bar.openTime, bar);
    this.bars = [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
    return this.bars;
  }

  /** Merges bars (snapshot or live events) and says how to bring the chart up to date. */
  merge(incoming: readonly Bar[]): MergePlan {
    const updates: Array<{ bar: Bar; historical: boolean }> = [];
    let needsReset = false;
    const sorted = [...incoming].sort((a, b) => a.openTime - b.openTime);
    for (const bar of sorted) {
      const index = search(this.bars, bar.openTime);
      if (index >= 0) {
        if (sameValues(this.bars[index] as Bar, bar)) continue;
        this.bars[index] = bar;
        updates.push({ bar, historical: index < this.bars.length - 1 });
      } else {
        const insertAt = -index - 1;
        this.bars.splice(insertAt, 0, bar);
        if (insertAt === this.bars.length - 1) updates.push({ bar, historical: false });
        else needsReset = true;
      }
    }
    if (needsReset) return { kind: "reset", bars: this.bars };
    return updates.length === 0 ? { kind: "none" } : { kind: "update", updates };
  }

  /** Every drawn bar, ascending (for a full indicator recompute). */
  all(): readonly Bar[] {
    return this.bars;
  }

  last(): Bar | undefined {
    return this.bars.at(-1);
  }

  size(): number {
    return this.bars.length;
  }
}
