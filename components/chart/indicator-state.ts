/**
 * Indicator values and candle patterns for the bars on the chart, with the domain's streaming core
 * (IndicatorEngine, PatternEngine): every bar but the last is committed with `push()`, the last one
 * (the still-open live bar) is only `preview()`ed, so its changes never corrupt the state. A new bar
 * commits the previous one; a revision of an older bar recomputes everything. Pure; tested in
 * indicator-state.test.ts.
 */
import type { Bar } from "../../server/domain/bars/bar.ts";
import { IndicatorEngine } from "../../server/domain/indicators/indicator-engine.ts";
import type { IndicatorValues } from "../../server/domain/indicators/indicator-types.ts";
import { PatternEngine } from "../../server/domain/patterns/pattern-engine.ts";
import type { PatternValues } from "../../server/domain/patterns/pattern-registry.ts";

export class IndicatorState {
  private indicators = new IndicatorEngine();
  private patternEngine = new PatternEngine();
  private barList: Bar[] = [];
  private rows: IndicatorValues[] = [];
  /** One per committed bar (all but the last): patterns are only marked on closed candles. */
  private patternRows: PatternValues[] = [];

  /** Recomputes from scratch (history load, snapshot after a gap, revision of an older bar). */
  reset(bars: readonly Bar[]): void {
    this.indicators = new IndicatorEngine(); // default session key: UTC date (crypto VWAP)
    this.patternEngine = new PatternEngine();
    this.barList = [...bars];
    this.rows = [];
    this.patternRows = [];
    const lastIndex = bars.length - 1;
    bars.forEach((bar, index) => {
      if (index < lastIndex) {
        this.rows.push(this.indicators.push(bar));
        this.patternRows.push(this.patternEngine.push(bar));
      } else {
        this.rows.push(this.indicators.preview(bar));
      }
    });
  }

  /**
   * A new or changed last bar. Returns the indexes whose values changed (ascending), or "reset" when
   * the bar is older than the last one (the caller then calls `reset` with the full list).
   * @example state.applyLast(liveBar) // [999] while the bar is open; [999, 1000] when bar 1000 opens
   */
  applyLast(bar: Bar): number[] | "reset" {
    const lastIndex = this.barList.length - 1;
    const last = this.barList[lastIndex];
    if (last && bar.openTime < last.openTime) return "reset";
    if (last && bar.openTime === last.openTime) {
      this.barList[lastIndex] = bar;
      this.rows[lastIndex] = this.indicators.preview(bar);
      return [lastIndex];
    }
    const changed: number[] = [];
    if (last) {
      // The open bar is now closed: commit its final values.
      this.rows[lastIndex] = this.indicators.push(last);
      this.patternRows.push(this.patternEngine.push(last));
      changed.push(lastIndex);
    }
    this.barList.push(bar);
    this.rows.push(this.indicators.preview(bar));
    changed.push(lastIndex + 1);
    return changed;
  }

  get bars(): readonly Bar[] {
    return this.barList;
  }

  get values(): readonly IndicatorValues[] {
    return this.rows;
  }

  get patterns(): readonly PatternValues[] {
    return this.patternRows;
  }

  /** Index of the bar opening at `openTime`, or -1. */
  indexOf(openTime: number): number {
    let low = 0;
    let high = this.barList.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const time = (this.barList[middle] as Bar).openTime;
      if (time === openTime) return middle;
      if (time < openTime) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}
