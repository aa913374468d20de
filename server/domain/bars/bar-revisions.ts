/**
 * BarBuilder's slow paths: changes to minutes that are already closed (late trades, exchange finals that
 * differ), the zero-volume minutes that follow them, and the higher-timeframe bars that contain them.
 * Pure. Edit together with bar-builder.ts.
 */
import type { Bar, Trade } from "./bar.ts";
import { CHANGED, NO_MINUTES, aggregateInto } from "./bar-aggregate.ts";
import type { BarEmitter } from "./bar-emitter.ts";
import { CLOSED, FINAL } from "./bar-ring.ts";
import { applyTradeToMinute, inHole } from "./bar-symbol-state.ts";
import type { SymbolState } from "./bar-symbol-state.ts";

const MINUTE = 60_000;

/**
 * Recomputes every higher-timeframe bar overlapping minutes [from, to] from its minutes. A bar whose minutes
 * are all closed is marked closed. With `emit`, a changed bar emits `revision` (already closed), `closed`
 * (closed but never emitted) or `live` (still open).
 */
export function recomputeHigher(emitter: BarEmitter, state: SymbolState, from: number, to: number, emit: boolean): void {
  for (let level = 1; level < state.rings.length; level++) {
    const ring = state.rings[level];
    if (ring === undefined) continue;
    for (let openTime = ring.align(from); openTime <= to; openTime += ring.size) {
      const index = ring.indexOf(openTime);
      const wasClosed = ring.openTime[index] === openTime && ((ring.flags[index] ?? 0) & CLOSED) !== 0;
      const result = aggregateInto(state.minutes, ring, index, openTime);
      if (result === NO_MINUTES) continue;
      const closed = openTime + ring.size <= state.nextClose;
      if (closed) ring.flags[index] = (ring.flags[index] ?? 0) | CLOSED;
      if (!emit || result !== CHANGED) continue;
      if (wasClosed) emitter.snapshot(state, level, index, "revision");
      else if (closed) emitter.snapshot(state, level, index, "closed");
      else emitter.live(state, level, index);
    }
  }
}

/**
 * Closed minute `minute` changed: the zero-volume minutes right after it take its new close (creating the
 * ones that were never built because no close was known yet), then the higher bars over the changed range
 * are recomputed. Updates `lastClose` when the walk reaches the open minutes.
 */
export function reviseFromMinute(emitter: BarEmitter, state: SymbolState, minute: number): void {
  const minutes = state.minutes;
  const price = minutes.close[minutes.indexOf(minute)] ?? Number.NaN;
  let last = minute;
  let next = minute + MINUTE;
  for (; next < state.nextClose; next += MINUTE) {
    const index = minutes.indexOf(next);
    if (minutes.openTime[index] !== next) {
      if (inHole(state, next)) break;
      minutes.resetFlat(index, next, price, CLOSED);
      emitter.snapshot(state, 0, index, "closed");
    } else {
      const flags = minutes.flags[index] ?? 0;
      if (minutes.trades[index] !== 0 || (flags & FINAL) !== 0 || minutes.close[index] === price) break;
      minutes.resetFlat(index, next, price, flags);
      emitter.snapshot(state, 0, index, "revision");
    }
    last = next;
  }
  if (next >= state.nextClose) state.lastClose = price;
  recomputeHigher(emitter, state, minute, last, true);
}

/**
 * A trade for a minute that is already closed (but within retention). Ignored when the exchange already
 * finalized that minute (its values include the trade); otherwise the minute is revised (or created).
 */
export function addLateTrade(emitter: BarEmitter, state: SymbolState, trade: Trade, minute: number): void {
  const minutes = state.minutes;
  const index = minutes.indexOf(minute);
  const present = minutes.openTime[index] === minute;
  if (present && ((minutes.flags[index] ?? 0) & FINAL) !== 0) return;
  if (!present) {
    minutes.reset(index, minute);
    minutes.flags[index] = CLOSED;
  }
  applyTradeToMinute(minutes, index, trade);
  emitter.snapshot(state, 0, index, present ? "revision" : "closed");
  reviseFromMinute(emitter, state, minute);
}

/** The exchange's final values for a minute that is already closed: they replace ours; events if they differ. */
export function applyClosedFinalMinute(emitter: BarEmitter, state: SymbolState, bar: Bar): void {
  const minutes = state.minutes;
  const index = minutes.indexOf(bar.openTime);
  const present = minutes.openTime[index] === bar.openTime;
  const changed = !present || !minutes.sameValues(index, bar);
  minutes.write(index, bar, CLOSED | FINAL);
  if (!changed) {
    recomputeHigher(emitter, state, bar.openTime, bar.openTime, false);
    return;
  }
  emitter.snapshot(state, 0, index, present ? "revision" : "closed");
  reviseFromMinute(emitter, state, bar.openTime);
}
