/**
 * Turns BarBuilder slots into BarEvents. `live` events reuse one event object per (symbol, timeframe), so the
 * hot path allocates nothing; `closed` and `revision` events carry fresh Bar copies that are safe to keep.
 * Pure. Edit together with bar-builder.ts.
 */
import type { Bar } from "./bar.ts";
import type { BarLevel, SymbolState } from "./bar-symbol-state.ts";

export type BarEventKind = "live" | "closed" | "revision";

/**
 * A bar update. For `live` events the event and its `bar` are reused and overwritten by the next update of
 * the same (symbol, timeframe): read or copy them inside the callback, never keep or mutate them.
 */
export interface BarEvent {
  kind: BarEventKind;
  bar: Bar;
}

export class BarEmitter {
  /** Per level: whether its events go out. */
  readonly emits: readonly boolean[];
  readonly onEvent: (event: BarEvent) => void;

  constructor(levels: readonly BarLevel[], onEvent: (event: BarEvent) => void) {
    this.emits = levels.map((level) => level.emit);
    this.onEvent = onEvent;
  }

  /** Emits a `live` event for slot `index` of `state.rings[level]` (no allocation). */
  live(state: SymbolState, level: number, index: number): void {
    if (this.emits[level] !== true) return;
    const event = state.live[level];
    const ring = state.rings[level];
    if (event === undefined || ring === undefined) return;
    ring.refresh(event.bar, index);
    this.onEvent(event);
  }

  /** Emits a `closed` or `revision` event with a copy of slot `index` of `state.rings[level]`. */
  snapshot(state: SymbolState, level: number, index: number, kind: "closed" | "revision"): void {
    if (this.emits[level] !== true) return;
    const ring = state.rings[level];
    if (ring === undefined) return;
    this.onEvent({ kind, bar: ring.snapshot(index, state.symbol) });
  }
}
